import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import type { DemoData } from '../demo/seed.js';
import { handleError } from '../problem.js';
import { assetRoutes, examplesDirectory } from './assets.js';

/** Demo data of the shape seedDemo returns (the type makes sure no field is missing), with made-up values. */
const demo: DemoData = {
  baseUrl: 'http://localhost:8787',
  createdAt: '2026-11-25T10:00:00.000Z',
  operator: { id: 'op', secretKey: 'sk_test_operator' },
  circuits: { vigevano: { id: 'c-vigevano', generalPoolId: 'p-vigevano' }, milano: { id: 'c-milano', generalPoolId: 'p-milano' } },
  providers: {
    teatroCagnoni: { id: 'pr-teatro', publishableKey: 'pk_test_teatro', deskKey: 'rk_test_teatro' },
    museoCalzatura: { id: 'pr-museo', publishableKey: 'pk_test_museo', deskKey: 'rk_test_museo' },
    scuolaMusica: { id: 'pr-scuola', publishableKey: 'pk_test_scuola', deskKey: 'rk_test_scuola' },
    slowMill: { id: 'pr-slowmill', publishableKey: 'pk_test_slowmill', deskKey: 'rk_test_slowmill' },
  },
  mentors: {
    pasticceriaColombo: { id: 'm-colombo', secretKey: 'sk_test_colombo', publishableKey: 'pk_test_colombo', impactKey: 'rk_test_colombo' },
    ferramentaBianchi: { id: 'm-bianchi', secretKey: 'sk_test_bianchi', publishableKey: 'pk_test_bianchi' },
    fondazionePavia: { id: 'm-pavia', secretKey: 'sk_test_pavia', publishableKey: 'pk_test_pavia' },
    shqiponja: { id: 'm-shqiponja', secretKey: 'sk_test_shqiponja', publishableKey: 'pk_test_shqiponja' },
  },
  referrers: {
    liceoCairoli: { id: 'r-cairoli', secretKey: 'sk_test_cairoli', deskKey: 'rk_test_cairoli' },
    albanesiDiaspora: { id: 'r-diaspora', secretKey: 'sk_test_diaspora', deskKey: 'rk_test_diaspora' },
  },
  offers: {
    locandiera: { id: 'o-locandiera', providerId: 'pr-teatro', title: 'La locandiera di Goldoni' },
    tosca: { id: 'o-tosca', providerId: 'pr-teatro', title: 'Tosca, opera in tre atti' },
    concertoAllievi: { id: 'o-concerto', providerId: 'pr-scuola', title: 'Concerto degli allievi' },
    percussioni: { id: 'o-percussioni', providerId: 'pr-scuola', title: 'Laboratorio di percussioni (4 incontri)' },
    scarpeDautore: { id: 'o-scarpe', providerId: 'pr-museo', title: "Scarpe d'autore: visita guidata" },
    kenge: { id: 'o-kenge', providerId: 'pr-slowmill', title: "Këngë: canti dell'Albania" },
  },
  campaigns: { locandiera: { id: 'ca-locandiera', title: 'La locandiera di Goldoni' }, tosca: { id: 'ca-tosca', title: 'Tosca' } },
  needs: {
    operaClass: { id: 'n-opera', title: 'Classe 3B, 22 studenti, all’opera per Tosca' },
    diasporaConcert: { id: 'n-concerto', title: 'Dieci ragazzi della diaspora al concerto degli allievi' },
    percussionWorkshop: { id: 'n-percussioni', title: 'Quattro ragazzi al laboratorio di percussioni' },
  },
  vouchers: Array.from({ length: 6 }, (_, index) => ({
    code: `MNT-AAAA-BBBB-CCC${index}-X`,
    pin: `12345${index}`,
    amount: 5000,
    language: 'it' as const,
    referrer: 'liceoCairoli' as const,
    issuedBy: 'Liceo Benedetto Cairoli',
    beneficiary: `3B-0${index}`,
  })),
};

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'mentoring-demo-pages-'));
  mkdirSync(join(root, 'examples', 'teatro'), { recursive: true });
  mkdirSync(join(root, 'embed'));
  const page = (path: string, html: string) => writeFileSync(join(root, 'examples', path), html);
  page(
    'teatro/index.html',
    '<script src="{{baseUrl}}/embed/v1/mentoring.js" data-key="{{ providers.teatroCagnoni.publishableKey }}"></script>' +
      '<mentoring-redeem-voucher offer="{{offers.locandiera.id}}"></mentoring-redeem-voucher><h2>{{offers.scarpeDautore.title}}</h2>',
  );
  page('teatro/typo.html', '<mentoring-redeem-voucher offer="{{offers.locanda.id}}"></mentoring-redeem-voucher>');
  page('teatro/object.html', '<p>{{offers.locandiera}}</p>');
  page('plain.html', '<title>No placeholders</title>');
  page('teatro/theme.css', '/* {{not.a.placeholder}} */ body { color: red }');
});

after(() => rmSync(root, { recursive: true, force: true }));

/** The asset routes as the app mounts them, with the app's error handler. */
function demoSite(data: DemoData | undefined, examples = join(root, 'examples')) {
  const app = new Hono();
  app.onError(handleError);
  app.route('/', assetRoutes({ embed: join(root, 'embed'), examples, demo: () => data }));
  return app;
}

describe('the demo pages at /examples/', () => {
  it('fill the script tag and the elements with the demo data, HTML-escaped, under a strict CSP that allows the API origin', async () => {
    const response = await demoSite(demo).request('/examples/teatro/');
    assert.equal(response.status, 200);
    assert.equal(
      await response.text(),
      '<script src="http://localhost:8787/embed/v1/mentoring.js" data-key="pk_test_teatro"></script>' +
        '<mentoring-redeem-voucher offer="o-locandiera"></mentoring-redeem-voucher><h2>Scarpe d&#39;autore: visita guidata</h2>',
    );
    assert.equal(
      response.headers.get('content-security-policy'),
      "default-src 'self'; script-src 'self' http://localhost:8787; connect-src http://localhost:8787; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: http://localhost:8787; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    assert.equal(response.headers.get('cache-control'), 'no-store', 'the keys change with the database');
    assert.equal(response.headers.get('content-length'), null, "the file's length is not the page's");
  });

  it('answer 500 naming the page and the placeholder when a page asks for something the demo data lacks', async () => {
    for (const [path, placeholder] of [
      ['/examples/teatro/typo.html', '{{offers.locanda.id}}'],
      ['/examples/teatro/object.html', '{{offers.locandiera}}'],
    ]) {
      const response = await demoSite(demo).request(path!);
      assert.equal(response.status, 500);
      const problem = (await response.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'internal_error');
      assert.ok(problem.detail.startsWith(`${path} has ${placeholder}, which is not`), problem.detail);
    }
  });

  it('answer 503 while there is no demo data (being created, or the demo is off), and serve pages without placeholders as they are', async () => {
    const waiting = await demoSite(undefined).request('/examples/teatro/');
    assert.equal(waiting.status, 503);
    assert.equal(waiting.headers.get('retry-after'), '5');
    const problem = await waiting.text();
    assert.equal(waiting.headers.get('content-length') ?? String(Buffer.byteLength(problem)), String(Buffer.byteLength(problem)), "not the page's length");
    assert.match((JSON.parse(problem) as { detail: string }).detail, /MENTORING_DEMO=true/);
    const plain = await demoSite(undefined).request('/examples/plain.html');
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), '<title>No placeholders</title>');
  });

  it('serve stylesheets and scripts untouched', async () => {
    const response = await demoSite(demo).request('/examples/teatro/theme.css');
    assert.equal(await response.text(), '/* {{not.a.placeholder}} */ body { color: red }');
    assert.equal(response.headers.get('content-security-policy'), null);
  });

  it('in examples/ use only what the demo data has', async () => {
    const app = demoSite(demo, examplesDirectory);
    const pages = readdirSync(examplesDirectory, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.html') && !file.includes('node_modules'),
    );
    assert.ok(pages.length >= 8, `the demo sites: ${pages.join(', ')}`);
    for (const page of pages) {
      const response = await app.request(`/examples/${page}`);
      assert.equal(response.status, 200, `${page}: ${await response.clone().text()}`);
      assert.doesNotMatch(await response.text(), /\{\{/, page);
    }
  });
});
