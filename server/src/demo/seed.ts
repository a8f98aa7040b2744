// The demo circuits of `npm start`, made through the public API as their real users would make
// them: the operator registers the organizations and the offers, mentors pay through the test
// payment provider, schools nominate pupils and issue vouchers. Names and places come from the
// project's own story (Vigevano, Pavia, Milan's Slow Mill centre, the Albanian diaspora).

import { seedShowcase } from './showcase.js';

/** What the demo pages and the printed summary need: ids, keys and the voucher cards. Keys and PINs are shown once by the API. */
export interface DemoData {
  baseUrl: string;
  createdAt: string;
  operator: { id: string; secretKey: string };
  circuits: Record<'vigevano' | 'milano', { id: string; generalPoolId: string }>;
  providers: Record<DemoProvider, { id: string; publishableKey: string; deskKey: string }>;
  /** Pasticceria Colombo's `impactKey` (a mentor's desk key) opens its impact page (examples/pasticceria-colombo/impatto.html). */
  mentors: Record<DemoMentor, { id: string; secretKey: string; publishableKey: string; impactKey?: string }>;
  /** `deskKey` opens the school office's desk (examples/segreteria/); demo.json written before the desks had none until `npm start` adds it. */
  referrers: Record<DemoReferrer, { id: string; secretKey: string; deskKey: string }>;
  offers: Record<DemoOffer, { id: string; providerId: string; title: string }>;
  campaigns: Record<'locandiera' | 'tosca', { id: string; title: string }>;
  /** Open needs of Vigevano's needs board (the school's opera class partly adopted). */
  needs: Record<DemoNeed, { id: string; title: string }>;
  vouchers: { code: string; pin: string; amount: number; language: 'it' | 'en' | 'sq'; referrer: DemoReferrer; issuedBy: string; beneficiary: string }[];
}

type DemoProvider = 'teatroCagnoni' | 'museoCalzatura' | 'scuolaMusica' | 'slowMill';
type DemoMentor = 'pasticceriaColombo' | 'ferramentaBianchi' | 'fondazionePavia' | 'shqiponja';
type DemoReferrer = 'liceoCairoli' | 'albanesiDiaspora';
type DemoNeed = 'operaClass' | 'diasporaConcert' | 'percussionWorkshop';
type DemoOffer = 'locandiera' | 'tosca' | 'concertoAllievi' | 'percussioni' | 'scarpeDautore' | 'kenge';

/** Calls the API with a key and a JSON body; the app in-process or a server over HTTP. */
export type ApiRequest = (path: string, init: RequestInit) => Response | Promise<Response>;

/** A call of the API with a key: a JSON body, or a Blob sent as its own type; the answer, or an error saying what the API answered. */
export type ApiCall = <T = Record<string, any>>(method: 'GET' | 'POST' | 'PUT', path: string, key: string, body?: unknown) => Promise<T>;

/** The demo's one way to call the API; `step` ("demo seed", …) starts its errors. */
export function apiCall(request: ApiRequest, step: string): ApiCall {
  return async (method, path, key, body) => {
    const response = await request(path, {
      method,
      headers: {
        Authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'Content-Type': body instanceof Blob ? body.type : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: body instanceof Blob ? body : JSON.stringify(body) }),
    });
    const answer = (await response.json()) as Record<string, any>;
    if (!response.ok) throw new Error(`${step}: ${method} ${path} answered ${response.status} ${answer.code}: ${answer.detail ?? answer.title}`);
    return answer as never;
  };
}

const day = 24 * 3600 * 1000;

const categories = [
  { slug: 'theatre', name: { it: 'Teatro', en: 'Theatre', sq: 'Teatër' } },
  { slug: 'music', name: { it: 'Musica', en: 'Music', sq: 'Muzikë' } },
  { slug: 'museum', name: { it: 'Museo', en: 'Museum', sq: 'Muze' } },
  { slug: 'course', name: { it: 'Corso', en: 'Course', sq: 'Kurs' } },
  { slug: 'cinema', name: { it: 'Cinema', en: 'Cinema', sq: 'Kinema' } },
  { slug: 'dance', name: { it: 'Danza', en: 'Dance', sq: 'Vallëzim' } },
];

/** An evening `days` from now at `hour` o'clock, so the demo's events are always ahead. */
function evening(now: Date, days: number, hour = 21): string {
  const date = new Date(now.getTime() + days * day);
  date.setUTCHours(hour - 1, 0, 0, 0);
  return date.toISOString();
}

/**
 * Builds the demo through the API with the platform admin's key. `baseUrl` is where browsers
 * load the demo pages: the organizations allow its origin for their publishable keys.
 */
export async function seedDemo(request: ApiRequest, { adminKey, baseUrl, now = new Date() }: { adminKey: string; baseUrl: string; now?: Date }): Promise<DemoData> {
  const call = apiCall(request, 'demo seed');
  const post = <T = Record<string, any>>(path: string, key: string, body: unknown) => call<T>('POST', path, key, body);
  const origins = [new URL(baseUrl).origin];

  const operator = await organization(call, adminKey, 'operator', 'Mentoring · Vigevano Web', []);
  const register = (kind: string, name: string, allowed: string[] = []) => organization(call, operator.secretKey, kind, name, allowed);
  const key = async (organizationId: string, kind: 'publishable' | 'desk' | 'secret') =>
    (await post(`/v1/organizations/${organizationId}/keys`, operator.secretKey, { kind })).key as string;

  const vigevano = await post('/v1/circuits', operator.secretKey, {
    name: 'Vigevano',
    description: {
      it: 'Teatri, musei e scuole di musica di Vigevano e della Lomellina, nel Parco del Ticino.',
      en: 'Theatres, museums and music schools of Vigevano and the Lomellina, in the Ticino park.',
      sq: 'Teatro, muze dhe shkolla muzike të Vigevanos dhe Lomellinës, në parkun e Ticinos.',
    },
    categories,
  });
  const milano = await post('/v1/circuits', operator.secretKey, {
    name: 'Milano',
    description: {
      it: 'Il Centro culturale Slow Mill e le associazioni della diaspora albanese a Milano.',
      en: 'The Slow Mill cultural centre and the associations of the Albanian diaspora in Milan.',
      sq: 'Qendra kulturore Slow Mill dhe shoqatat e diasporës shqiptare në Milano.',
    },
    categories,
  });

  const providers = {} as DemoData['providers'];
  for (const [name, label, circuit] of [
    ['teatroCagnoni', 'Teatro Cagnoni', vigevano],
    ['museoCalzatura', 'Museo della Calzatura', vigevano],
    ['scuolaMusica', 'Civica Scuola di Musica Luigi Costa', vigevano],
    ['slowMill', 'Centro culturale Slow Mill', milano],
  ] as const) {
    const provider = await register('provider', label, origins);
    await post(`/v1/circuits/${circuit.id}/providers`, operator.secretKey, { provider_id: provider.id });
    providers[name] = { id: provider.id, publishableKey: await key(provider.id, 'publishable'), deskKey: await key(provider.id, 'desk') };
  }

  const offer = async (circuitId: string, provider: DemoProvider, fields: Record<string, unknown>) => {
    const created = await post('/v1/offers', operator.secretKey, { circuit_id: circuitId, provider_id: providers[provider].id, ...fields });
    return { id: created.id as string, providerId: providers[provider].id, title: (created.title as { it: string }).it };
  };
  const offers: DemoData['offers'] = {
    locandiera: await offer(vigevano.id, 'teatroCagnoni', {
      category: 'theatre',
      title: { it: 'La locandiera di Goldoni', en: "Goldoni's The Mistress of the Inn", sq: 'Hanxhesha e Goldonit' },
      description: {
        it: 'La commedia di Mirandolina, che tiene testa a tre pretendenti. Adatta dai 12 anni.',
        en: 'Mirandolina stands up to three suitors in Goldoni’s comedy. Suitable from 12.',
        sq: 'Mirandolina u qëndron tre kërkuesve në komedinë e Goldonit. E përshtatshme nga 12 vjeç.',
      },
      venue: 'Teatro Cagnoni, Corso Vittorio Emanuele II 45, Vigevano',
      starts_at: evening(now, 12),
      seat_price: 1500,
      seats_total: 40,
    }),
    tosca: await offer(vigevano.id, 'teatroCagnoni', {
      category: 'music',
      title: { it: 'Tosca, opera in tre atti', en: 'Tosca, an opera in three acts', sq: 'Toska, opera në tre akte' },
      venue: 'Teatro Cagnoni, Vigevano',
      starts_at: evening(now, 40),
      seat_price: 2500,
      seats_total: 30,
    }),
    concertoAllievi: await offer(vigevano.id, 'scuolaMusica', {
      category: 'music',
      title: { it: 'Concerto degli allievi', en: "The pupils' concert", sq: 'Koncerti i nxënësve' },
      venue: 'Auditorium San Dionigi, Vigevano',
      starts_at: evening(now, 20, 18),
      seat_price: 800,
      seats_total: 60,
    }),
    percussioni: await offer(vigevano.id, 'scuolaMusica', {
      category: 'course',
      title: { it: 'Laboratorio di percussioni (4 incontri)', en: 'Percussion workshop (4 sessions)', sq: 'Punëtori perkusioni (4 takime)' },
      venue: 'Civica Scuola di Musica, Vigevano',
      starts_at: evening(now, 16, 17),
      seat_price: 4000,
      seats_total: 12,
    }),
    scarpeDautore: await offer(vigevano.id, 'museoCalzatura', {
      category: 'museum',
      title: { it: "Scarpe d'autore: visita guidata", en: 'Designer shoes: a guided tour', sq: 'Këpucë autori: vizitë me guidë' },
      venue: 'Museo della Calzatura, Castello Sforzesco, Vigevano',
      starts_at: evening(now, 9, 16),
      seat_price: 500,
      seats_total: 25,
    }),
    kenge: await offer(milano.id, 'slowMill', {
      category: 'music',
      title: { it: "Këngë: canti dell'Albania", en: 'Këngë: songs of Albania', sq: 'Këngë nga Shqipëria' },
      description: {
        it: "Concerto dell'associazione Dora e Pajtimit: polifonia e canti popolari.",
        en: 'A concert by the Dora e Pajtimit association: polyphony and folk songs.',
        sq: 'Koncert i shoqatës Dora e Pajtimit: polifoni dhe këngë popullore.',
      },
      venue: 'Slow Mill, Via Volturno 32, Milano',
      starts_at: evening(now, 14),
      seat_price: 1000,
      seats_total: 50,
    }),
  };

  // Two integrated paths of the Vigevano circuit: a music journey in order, and the city's culture in
  // any order, which earns a €15 bonus voucher from the general pool.
  await post(`/v1/circuits/${vigevano.id}`, operator.secretKey, {
    paths: [
      {
        name: { it: 'Percorso musica', en: 'Music path', sq: 'Rruga e muzikës' },
        ordered: true,
        steps: [{ offer_id: offers.concertoAllievi.id }, { offer_id: offers.percussioni.id }, { offer_id: offers.tosca.id }],
      },
      {
        name: { it: 'Vigevano da scoprire', en: 'Discovering Vigevano', sq: 'Zbulo Vigevanon' },
        ordered: false,
        steps: [{ category: 'theatre' }, { category: 'museum' }],
        bonus: { amount: 1500, pool_id: vigevano.general_pool_id },
      },
    ],
  });

  const campaign = async (offerId: string, targetSeats: number, days: number) => {
    const created = await post('/v1/campaigns', operator.secretKey, {
      circuit_id: vigevano.id,
      offer_id: offerId,
      target_seats: targetSeats,
      deadline: evening(now, days, 12),
    });
    return { id: created.id as string, title: (created.title as { it: string }).it };
  };
  const campaigns: DemoData['campaigns'] = {
    locandiera: await campaign(offers.locandiera.id, 20, 10),
    tosca: await campaign(offers.tosca.id, 15, 35),
  };

  const mentors = {} as DemoData['mentors'];
  for (const [name, label] of [
    ['pasticceriaColombo', 'Pasticceria Colombo'],
    ['ferramentaBianchi', 'Ferramenta Bianchi'],
    ['fondazionePavia', 'Fondazione Comunitaria della Provincia di Pavia'],
    ['shqiponja', 'Shqiponja Import-Export'],
  ] as const) {
    const mentor = await register('mentor', label, origins);
    mentors[name] = { id: mentor.id, secretKey: mentor.secretKey, publishableKey: await key(mentor.id, 'publishable') };
  }
  const sponsor = (mentor: DemoMentor, body: Record<string, unknown>) => post('/v1/sponsorships', mentors[mentor].secretKey, body);
  await sponsor('fondazionePavia', { pool_id: vigevano.general_pool_id, amount: 150_000, display_name: 'Fondazione Comunitaria della Provincia di Pavia' });
  await sponsor('shqiponja', { pool_id: milano.general_pool_id, amount: 50_000, display_name: 'Shqiponja', message: 'Për fëmijët tanë, në Milano.' });
  await sponsor('pasticceriaColombo', { campaign_id: campaigns.locandiera.id, seats: 4, display_name: 'Pasticceria Colombo', message: 'Buona serata a teatro!' });
  await sponsor('ferramentaBianchi', { campaign_id: campaigns.locandiera.id, seats: 3, anonymous: true });
  await sponsor('fondazionePavia', { campaign_id: campaigns.tosca.id, seats: 5, display_name: 'Fondazione Comunitaria della Provincia di Pavia' });

  const referrers = {} as DemoData['referrers'];
  const referrerNames = {} as Record<DemoReferrer, string>;
  for (const [name, label, circuit, allocation] of [
    ['liceoCairoli', 'Liceo Benedetto Cairoli', vigevano, 80_000],
    ['albanesiDiaspora', 'Associazione Albanesi della Diaspora', milano, 40_000],
  ] as const) {
    // The office's desk runs in a page of the demo's origin: its desk key is bound to it like a publishable key.
    const referrer = await register('referrer', label, origins);
    await post('/v1/allocations', operator.secretKey, { referrer_id: referrer.id, pool_id: circuit.general_pool_id, amount: allocation });
    referrers[name] = { id: referrer.id, secretKey: referrer.secretKey, deskKey: await key(referrer.id, 'desk') };
    referrerNames[name] = label;
  }

  // The needs board: what the Liceo's class and the diaspora association's young people need in Vigevano.
  const need = async (referrer: DemoReferrer, days: number, fields: Record<string, unknown>) => {
    const created = await post('/v1/needs', referrers[referrer].secretKey, { circuit_id: vigevano.id, deadline: evening(now, days, 12), ...fields });
    const title = created.title as { it?: string; sq?: string };
    return { id: created.id as string, title: title.it ?? title.sq! };
  };
  const needs: DemoData['needs'] = {
    operaClass: await need('liceoCairoli', 30, {
      category: 'music',
      offer_id: offers.tosca.id,
      title: { it: 'Classe 3B, 22 studenti, all’opera per Tosca', en: 'Class 3B, 22 students, at the opera for Tosca', sq: 'Klasa 3B, 22 nxënës, në operë për Toskën' },
      description: {
        it: 'La 3B studia il melodramma quest’anno: per quasi tutti sarebbe la prima volta in un teatro d’opera.',
        en: 'Class 3B studies opera this year: for nearly all of them it would be their first time in an opera house.',
        sq: 'Klasa 3B e studion melodramën këtë vit: për pothuajse të gjithë do të ishte hera e parë në një teatër opere.',
      },
      seats: 22,
      amount: 22 * 2500,
    }),
    diasporaConcert: await need('albanesiDiaspora', 15, {
      category: 'music',
      offer_id: offers.concertoAllievi.id,
      title: { sq: 'Dhjetë të rinj të diasporës në koncertin e nxënësve', it: 'Dieci ragazzi della diaspora al concerto degli allievi' },
      description: {
        sq: 'Të rinjtë e shoqatës mësojnë muzikë në Milano: duan të dëgjojnë moshatarët e tyre në Vigevano.',
        it: 'I ragazzi dell’associazione studiano musica a Milano: vogliono ascoltare i loro coetanei a Vigevano.',
      },
      seats: 10,
      amount: 10 * 800,
    }),
    percussionWorkshop: await need('albanesiDiaspora', 14, {
      category: 'course',
      offer_id: offers.percussioni.id,
      title: { it: 'Quattro ragazzi al laboratorio di percussioni', sq: 'Katër të rinj në punëtorinë e perkusionit', en: 'Four young people at the percussion workshop' },
      seats: 4,
      amount: 4 * 4000,
    }),
  };
  await sponsor('pasticceriaColombo', { need_id: needs.operaClass.id, seats: 8, display_name: 'Pasticceria Colombo', message: 'Forza 3B, buona Tosca!' });
  await sponsor('shqiponja', { need_id: needs.operaClass.id, amount: 5000, display_name: 'Shqiponja' });

  const vouchers: DemoData['vouchers'] = [];
  for (const [referrer, circuit, reference, language, amount, restrictions] of [
    ['liceoCairoli', vigevano, '3B-01', 'it', 5000, undefined],
    ['liceoCairoli', vigevano, '3B-02', 'it', 3000, undefined],
    ['liceoCairoli', vigevano, '3B-03', 'en', 4500, undefined],
    ['liceoCairoli', vigevano, '4A-01', 'it', 6000, { categories: ['music', 'course'] }],
    ['albanesiDiaspora', milano, 'DP-01', 'sq', 3000, undefined],
    ['albanesiDiaspora', milano, 'DP-02', 'sq', 2000, undefined],
  ] as const) {
    const { secretKey } = referrers[referrer];
    const beneficiary = await post('/v1/beneficiaries', secretKey, { reference, age_band: '14-17', language });
    const voucher = await post('/v1/vouchers', secretKey, {
      beneficiary_id: beneficiary.id,
      pool_id: circuit.general_pool_id,
      amount,
      expires_at: new Date(now.getTime() + 180 * day).toISOString(),
      ...(restrictions === undefined ? {} : { restrictions }),
    });
    vouchers.push({ code: voucher.code, pin: voucher.pin, amount, language, referrer, issuedBy: referrerNames[referrer], beneficiary: reference });
  }
  // 3B-02 has already been to the shoe museum, booked at its desk: one stamp on "Vigevano da scoprire".
  const museumVisitor = vouchers.find((voucher) => voucher.beneficiary === '3B-02')!;
  await post('/v1/redemptions', providers.museoCalzatura.deskKey, {
    code: museumVisitor.code,
    pin: museumVisitor.pin,
    offer_id: offers.scarpeDautore.id,
    seats: 1,
    capture: true,
  });

  // What Pasticceria Colombo's money did: three young people of the diaspora association book La
  // locandiera with vouchers from its campaign (shared with Ferramenta Bianchi), two thank-you notes
  // the association approved (Albanian and Italian) and one it has still to check. The association
  // issues them from an allocation in that campaign's pool; the Liceo's office stays as it was.
  mentors.pasticceriaColombo.impactKey = await key(mentors.pasticceriaColombo.id, 'desk');
  const association = referrers.albanesiDiaspora.secretKey;
  const locandieraPool = (await call('GET', `/v1/campaigns/${campaigns.locandiera.id}`, operator.secretKey)).pool_id as string;
  await post('/v1/allocations', operator.secretKey, { referrer_id: referrers.albanesiDiaspora.id, pool_id: locandieraPool, amount: 4500 });
  for (const [reference, language, note, approved] of [
    ['DP-03', 'sq', 'Faleminderit! Ishte hera ime e parë në teatër, më pëlqeu shumë.', true],
    ['DP-04', 'it', 'Grazie! Non ero mai stata a teatro: Mirandolina è fortissima.', true],
    ['DP-05', 'it', 'Bellissimo, grazie a chi ha pagato il biglietto.', false],
  ] as const) {
    const beneficiary = await post('/v1/beneficiaries', association, { reference, age_band: '14-17', language });
    const voucher = await post('/v1/vouchers', association, { beneficiary_id: beneficiary.id, pool_id: locandieraPool, amount: 1500 });
    const booking = await post('/v1/redemptions', providers.teatroCagnoni.publishableKey, {
      code: voucher.code,
      pin: voucher.pin,
      offer_id: offers.locandiera.id,
      seats: 1,
      capture: true,
    });
    const thanks = await post('/v1/thanks', providers.teatroCagnoni.publishableKey, {
      booking_reference: booking.booking_reference,
      code: voucher.code,
      pin: voucher.pin,
      text: note,
    });
    if (approved) await post(`/v1/thanks/${thanks.id}/approve`, association, {});
  }

  const demo: DemoData = {
    baseUrl,
    createdAt: now.toISOString(),
    operator: { id: operator.id, secretKey: operator.secretKey },
    circuits: {
      vigevano: { id: vigevano.id, generalPoolId: vigevano.general_pool_id },
      milano: { id: milano.id, generalPoolId: milano.general_pool_id },
    },
    providers,
    mentors,
    referrers,
    offers,
    campaigns,
    needs,
    vouchers,
  };
  await seedShowcase(request, demo, now);
  return demo;
}

/**
 * A demo made before the school offices had desks (its referrers have no `deskKey`): each referrer
 * gets a desk key and allows the demo's origin, through the API with the operator's key; and
 * before the mentors' impact page, Pasticceria Colombo its impact key (an older demo has no
 * bookings from its campaign, so its page shows its gifts alone). Answers the demo as it is now,
 * or undefined when nothing was missing.
 */
export async function addOfficeDesks(request: ApiRequest, demo: DemoData): Promise<DemoData | undefined> {
  const missing = (Object.keys(demo.referrers) as DemoReferrer[]).filter((name) => !demo.referrers[name].deskKey);
  const impactMissing = !demo.mentors.pasticceriaColombo.impactKey;
  if (missing.length === 0 && !impactMissing) return undefined;
  const asOperator = apiCall(request, 'demo desks');
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) => asOperator(method, path, demo.operator.secretKey, body);
  const origin = new URL(demo.baseUrl).origin;
  const referrers = { ...demo.referrers };
  for (const name of missing) {
    const { id } = referrers[name];
    const { allowed_origins: allowed } = (await call('GET', `/v1/organizations/${id}`)) as { allowed_origins: string[] };
    if (!allowed.includes(origin)) await call('POST', `/v1/organizations/${id}`, { allowed_origins: [...allowed, origin] });
    referrers[name] = { ...referrers[name], deskKey: (await call('POST', `/v1/organizations/${id}/keys`, { kind: 'desk' })).key as string };
  }
  const mentors = { ...demo.mentors };
  if (impactMissing) {
    const { id } = mentors.pasticceriaColombo;
    mentors.pasticceriaColombo = { ...mentors.pasticceriaColombo, impactKey: (await call('POST', `/v1/organizations/${id}/keys`, { kind: 'desk' })).key as string };
  }
  return { ...demo, referrers, mentors };
}

/** An organization registered by `by`, with its secret key. */
export async function organization(
  call: ApiCall,
  by: string,
  kind: string,
  name: string,
  allowedOrigins: string[],
): Promise<{ id: string; secretKey: string }> {
  const created = await call('POST', '/v1/organizations', by, { kind, name, allowed_origins: allowedOrigins });
  const key = await call('POST', `/v1/organizations/${created.id}/keys`, by, { kind: 'secret' });
  return { id: created.id, secretKey: key.key };
}
