// The demo's open directory and stories (issue 8), made through the API like the rest of the demo:
// the operator fills in the public profiles of the organizations it registered; two pupils of a
// middle school use their cards at the theatre and the music school; those two write what it meant
// and the operator approves them (their numbers come from those seats); the Liceo's story waits for
// the operator.
import { readFileSync } from 'node:fs';
import { apiCall, organization, type ApiCall, type ApiRequest, type DemoData } from './seed.js';

/** A drawn photo of photos/ (scripts/draw-photos.mjs), as the body of its upload. */
const photo = (name: string) => new Blob([new Uint8Array(readFileSync(new URL(`photos/${name}`, import.meta.url)))], { type: 'image/webp' });

/** Public profiles, a few seats used, two approved stories with photos and one pending. */
export async function seedShowcase(request: ApiRequest, demo: DemoData, now: Date): Promise<void> {
  const call = apiCall(request, 'demo showcase');
  const operator = demo.operator.secretKey;
  const profile = (id: string, body: Record<string, unknown>) => call('PUT', `/v1/organizations/${id}/profile`, operator, { public: true, ...body });

  await profile(demo.providers.teatroCagnoni.id, {
    description: {
      it: 'Il teatro ottocentesco di Vigevano: prosa, lirica e matinée per le scuole.',
      en: "Vigevano's nineteenth-century theatre: plays, opera and school matinées.",
      sq: 'Teatri i shekullit XIX i Vigevanos: dramë, operë dhe shfaqje paradite për shkollat.',
    },
    categories: ['theatre', 'music'],
    languages: ['it', 'en'],
    location: { city: 'Vigevano', address: 'Corso Vittorio Emanuele II 45', latitude: 45.3166, longitude: 8.8596 },
    website: 'https://www.teatrocagnoni.example',
    contact_email: 'biglietteria@teatrocagnoni.example',
  });
  await profile(demo.providers.museoCalzatura.id, {
    description: {
      it: 'Cinque secoli di scarpe nel Castello Sforzesco, con visite guidate per le classi.',
      en: 'Five centuries of shoes in the Sforza Castle, with guided tours for classes.',
      sq: 'Pesë shekuj këpucësh në Kështjellën Sforzesco, me vizita me guidë për klasat.',
    },
    categories: ['museum'],
    languages: ['it', 'en'],
    location: { city: 'Vigevano', address: 'Castello Sforzesco', latitude: 45.3176, longitude: 8.8581 },
    contact_email: 'museo@comune.vigevano.example',
  });
  await profile(demo.providers.scuolaMusica.id, {
    description: {
      it: 'Corsi di strumento e laboratori di musica d’insieme per ragazzi dagli 8 anni.',
      en: 'Instrument lessons and ensemble workshops for children from 8.',
      sq: 'Kurse instrumentesh dhe punëtori muzike në grup për fëmijë nga 8 vjeç.',
    },
    categories: ['music', 'course'],
    languages: ['it', 'en'],
    location: { city: 'Vigevano' },
    website: 'https://www.scuolamusicacosta.example',
  });
  await profile(demo.providers.slowMill.id, {
    description: {
      it: 'Centro culturale nel quartiere Isola: concerti, corsi e feste delle comunità.',
      en: 'A cultural centre in the Isola district: concerts, courses and community festivals.',
      sq: 'Qendër kulturore në lagjen Isola: koncerte, kurse dhe festa të komuniteteve.',
    },
    categories: ['music', 'course'],
    languages: ['it', 'en', 'sq'],
    location: { city: 'Milano', address: 'Via Volturno 32' },
  });
  await profile(demo.referrers.liceoCairoli.id, {
    description: {
      it: 'Liceo classico e scientifico: porta le classi a teatro e ai concerti con i voucher cultura.',
      en: 'A grammar school that takes its classes to the theatre and to concerts with culture vouchers.',
    },
    languages: ['it', 'en'],
    location: { city: 'Vigevano' },
  });
  await profile(demo.referrers.albanesiDiaspora.id, {
    description: {
      it: 'Doposcuola, lingua albanese e cultura per le famiglie della diaspora a Milano.',
      en: 'After-school help, Albanian lessons and culture for the families of the diaspora in Milan.',
      sq: 'Ndihmë pas shkollës, mësime shqipe dhe kulturë për familjet e diasporës në Milano.',
    },
    languages: ['sq', 'it'],
    location: { city: 'Milano' },
    contact_email: 'info@albanesidiaspora.example',
  });
  await profile(demo.mentors.pasticceriaColombo.id, {
    description: { it: 'Pasticceria di piazza Ducale: un posto a teatro per ogni torta di compleanno.', en: 'A pastry shop on Piazza Ducale: a theatre seat for every birthday cake.' },
    categories: ['theatre'],
    languages: ['it'],
    location: { city: 'Vigevano', address: 'Piazza Ducale' },
  });
  await profile(demo.mentors.shqiponja.id, {
    description: {
      it: 'Import-export tra Milano e Durazzo; sostiene i ragazzi della diaspora.',
      sq: 'Import-eksport mes Milanos dhe Durrësit; mbështet të rinjtë e diasporës.',
    },
    languages: ['sq', 'it', 'en'],
    location: { city: 'Milano' },
  });

  // Two pupils of the Istituto Comprensivo use their cards: two seats of La locandiera, three at the
  // pupils' concert. A school of its own, so the Liceo's cards and desk stay as the demo pages show them.
  const istituto = await organization(call, operator, 'referrer', 'Istituto Comprensivo Vigevano', []);
  await call('POST', '/v1/allocations', operator, { referrer_id: istituto.id, pool_id: demo.circuits.vigevano.generalPoolId, amount: 20_000 });
  await profile(istituto.id, {
    description: {
      it: 'Scuole primarie e medie di Vigevano: ogni classe vede almeno uno spettacolo all’anno.',
      en: 'Primary and middle schools of Vigevano: every class sees at least one show a year.',
      sq: 'Shkolla fillore dhe të mesme të Vigevanos: çdo klasë sheh të paktën një shfaqje në vit.',
    },
    languages: ['it', 'en', 'sq'],
    location: { city: 'Vigevano' },
  });
  for (const [reference, provider, offer, seats] of [
    ['2A-01', 'teatroCagnoni', demo.offers.locandiera.id, 2],
    ['2A-02', 'scuolaMusica', demo.offers.concertoAllievi.id, 3],
  ] as const) {
    const beneficiary = await call('POST', '/v1/beneficiaries', istituto.secretKey, { reference, age_band: '0-13', language: 'it' });
    const voucher = await call('POST', '/v1/vouchers', istituto.secretKey, {
      beneficiary_id: beneficiary.id,
      pool_id: demo.circuits.vigevano.generalPoolId,
      amount: 5000,
      expires_at: new Date(now.getTime() + 180 * 24 * 3600 * 1000).toISOString(),
    });
    await call('POST', '/v1/redemptions', demo.providers[provider].deskKey, { code: voucher.code, pin: voucher.pin, offer_id: offer, seats, capture: true });
  }

  const story = async (authorKey: string, body: Record<string, unknown>, image?: string) => {
    const written = await call('POST', '/v1/stories', authorKey, { circuit_id: demo.circuits.vigevano.id, ...body });
    if (image !== undefined) await call('PUT', `/v1/stories/${written.id}/photo`, authorKey, photo(image));
    return written.id as string;
  };
  const theatre = await story(
    await providerSecret(call, operator, demo.providers.teatroCagnoni.id),
    {
      title: { it: 'La prima volta a teatro', en: 'A first night at the theatre', sq: 'Nata e parë në teatër' },
      body: {
        it: 'Per molti ragazzi delle scuole di Vigevano La locandiera è stata la prima sera in platea.\nAlcuni sono tornati con i genitori, con il biglietto pagato da un mentore del quartiere.',
        en: "For many of Vigevano's pupils, The Mistress of the Inn was their first evening in the stalls.\nSome came back with their parents, their ticket paid by a mentor from the neighbourhood.",
        sq: 'Për shumë nxënës të Vigevanos, Hanxhesha ishte mbrëmja e tyre e parë në sallë.\nDisa u kthyen me prindërit, me biletën e paguar nga një mentor i lagjes.',
      },
      photo_alt: {
        it: 'Il palco del Teatro Cagnoni con il sipario rosso aperto e la platea in ombra',
        en: 'The stage of Teatro Cagnoni, its red curtain open, the stalls in shadow',
        sq: 'Skena e Teatrit Cagnoni me perden e kuqe të hapur dhe sallën në hije',
      },
    },
    'teatro-cagnoni.webp',
  );
  const music = await story(
    await providerSecret(call, operator, demo.providers.scuolaMusica.id),
    {
      title: { it: 'Dal pubblico al palco', en: 'From the audience to the stage', sq: 'Nga publiku në skenë' },
      body: {
        it: 'Tre ragazzi sono venuti al concerto degli allievi con il voucher della scuola.\nA gennaio si sono iscritti al laboratorio di percussioni: il percorso musica è cominciato così.',
        en: "Three pupils came to the pupils' concert with their school's voucher.\nIn January they joined the percussion workshop: that is how their music path began.",
        sq: 'Tre nxënës erdhën në koncertin e nxënësve me kuponin e shkollës.\nNë janar u regjistruan në punëtorinë e perkusionit: kështu nisi rruga e tyre e muzikës.',
      },
      photo_alt: {
        it: 'Una tastiera e un leggio nell’aula di musica, con note disegnate sul muro',
        en: 'A keyboard and a music stand in the music room, notes drawn on the wall',
        sq: 'Një tastierë dhe një mbajtëse notash në klasën e muzikës, me nota të vizatuara në mur',
      },
    },
    'scuola-musica.webp',
  );
  for (const id of [theatre, music]) await call('POST', `/v1/stories/${id}/approve`, operator, {});
  await story(demo.referrers.liceoCairoli.secretKey, {
    title: { it: 'Il teatro entra in classe', en: 'The theatre comes to class' },
    body: {
      it: 'Prima dello spettacolo la compagnia è venuta a scuola a leggere Goldoni con la 3C.',
      en: 'Before the play, the company came to school to read Goldoni with class 3C.',
    },
  });
}

/** A provider's own secret key, made by the operator that registered it: stories are written with it. */
async function providerSecret(call: ApiCall, operatorKey: string, providerId: string): Promise<string> {
  return (await call('POST', `/v1/organizations/${providerId}/keys`, operatorKey, { kind: 'secret', label: 'Storie' })).key as string;
}
