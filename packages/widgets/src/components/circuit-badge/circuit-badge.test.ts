import { expect, fixture, waitUntil } from '@open-wc/testing';
import { inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import './circuit-badge.js';

async function badgeWidget(attributes: string, { lang = 'en', apiOrigin }: { lang?: string; apiOrigin?: string } = {}) {
  const world = await testWorld();
  const wrapper = await fixture<HTMLDivElement>(
    `<div><mentoring-circuit-badge ${attributes} lang="${lang}" api-origin="${apiOrigin ?? world.apiOrigin}"></mentoring-circuit-badge></div>`,
  );
  return wrapper.querySelector('mentoring-circuit-badge')!;
}

describe('<mentoring-circuit-badge>', () => {
  it('says how many seats a shop sponsored this season', async () => {
    const { mentorId } = await seed<{ mentorId: string }>('mentorBadge', { seats: 15 });
    const badge = await badgeWidget(`mentor="${mentorId}"`);
    await untilText(badge, 'Ferramenta Bianchi sponsored 15 seats this season');
    await expect(badge).to.be.accessible();
  });

  it("shows a provider's circuit and the season's seats, linked to the circuit's page", async () => {
    const world = await testWorld();
    // The shared theatre's counts move with other tests, and browsers keep them for 30 s: exact counts are the mentor's test.
    const badge = await badgeWidget(`provider="${world.providerId}" href="https://vigevano.example/circuito"`);
    await untilText(badge, /Part of the Vigevano circuit · \d+ seats? sponsored this season/);
    expect(inside<HTMLAnchorElement>(badge, 'a[part=link]')!.href).to.equal('https://vigevano.example/circuito');
    await expect(badge).to.be.accessible();
  });

  it('the full variant adds the name and the seats taken with vouchers', async () => {
    const world = await testWorld();
    const badge = await badgeWidget(`provider="${world.providerId}" variant="full"`);
    await untilText(badge, 'Teatro Cagnoni');
    expect(textOf(badge)).to.match(/\d+ seats? taken here with culture vouchers/);
    expect(textOf(badge)).to.contain('Part of the Vigevano circuit');
    await expect(badge).to.be.accessible();
  });

  it('keeps its height from the first paint to the counts, in both variants: no layout shift', async () => {
    const world = await testWorld();
    for (const variant of ['compact', 'full']) {
      const badge = await badgeWidget(`circuit="${world.circuitId}" variant="${variant}"`);
      const before = badge.getBoundingClientRect().height;
      await untilText(badge, 'seats sponsored this season');
      expect(badge.getBoundingClientRect().height, variant).to.equal(before);
      expect(before).to.equal(variant === 'full' ? 112 : 36);
    }
  });

  it('asks once for the counts of one subject, however many badges show them', async () => {
    const { mentorId } = await seed<{ mentorId: string }>('mentorBadge', { seats: 2 });
    const original = window.fetch;
    const asked: string[] = [];
    window.fetch = (input, init) => {
      asked.push(String(input));
      return original(input, init);
    };
    try {
      const first = await badgeWidget(`mentor="${mentorId}"`);
      const second = await badgeWidget(`mentor="${mentorId}" variant="full"`);
      await untilText(first, 'sponsored 2 seats');
      await untilText(second, 'sponsored 2 seats');
      expect(asked.filter((url) => url.includes(mentorId))).to.have.length(1);
    } finally {
      window.fetch = original;
    }
  });

  it('says so when the server cannot be reached, keeping its size', async () => {
    const badge = await badgeWidget('circuit="0196f5b2-0000-7000-8000-000000000000"', { apiOrigin: 'http://127.0.0.1:9' });
    await untilText(badge, 'No connection to Mentoring');
    expect(badge.getBoundingClientRect().height).to.equal(36);
    await waitUntil(() => inside(badge, '[role=status]') !== null);
  });
});
