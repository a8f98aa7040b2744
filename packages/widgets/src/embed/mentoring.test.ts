import { expect } from '@open-wc/testing';
import { findEmbedScript, readEmbedSettings } from './embed-script.js';
import { captureConsole } from '../internal/testing.js';
import { version } from '../internal/version.js';

function embedTag(attributes: Record<string, string>): HTMLScriptElement {
  const script = document.createElement('script');
  // A type the browser does not run: the tag is only read, as the page's real tag would be.
  script.type = 'text/plain';
  script.src = 'https://api.mentoring.test/embed/v1/mentoring.js';
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  return script;
}

describe('the embed script tag', () => {
  it('gives the widgets the server origin and the publishable key', () => {
    const settings = readEmbedSettings(embedTag({ 'data-key': 'pk_test_teatroCagnoni' }));
    expect(settings).to.deep.equal({ apiOrigin: 'https://api.mentoring.test', publishableKey: 'pk_test_teatroCagnoni' });
  });

  it('refuses a secret key pasted into a public page, and says to revoke it', async () => {
    let settings;
    const errors = await captureConsole('error', () => {
      settings = readEmbedSettings(embedTag({ 'data-key': 'sk_live_0123456789' }));
    });
    expect(settings).to.deep.include({ publishableKey: undefined });
    expect(errors[0]).to.contain('Revoke it now');
  });

  it('explains a missing key', async () => {
    const errors = await captureConsole('error', () => readEmbedSettings(embedTag({})));
    expect(errors[0]).to.contain('no data-key');
  });

  it('is found on the page when it is not the running script', () => {
    const tag = embedTag({ 'data-key': 'pk_test_x' });
    document.head.append(tag);
    try {
      expect(findEmbedScript(document)).to.equal(tag);
    } finally {
      tag.remove();
    }
  });

  const stateKey = Symbol.for('mentoring.embed');
  const page = globalThis as Record<symbol, unknown>;
  afterEach(() => {
    delete page[stateKey];
  });

  it('can be loaded twice without an error, and logs its version once', async () => {
    const tag = embedTag({ 'data-key': 'pk_test_museoLeonardiano' });
    document.head.append(tag);
    try {
      const logged = await captureConsole('info', async () => {
        // Two query strings make two module instances: two copies of the script on one page.
        const entry = new URL('./mentoring.ts', import.meta.url);
        await import(`${entry.href}?copy=1`);
        await import(`${entry.href}?copy=2`);
      });
      expect(logged).to.deep.equal([`Mentoring widgets ${version}`]);
      expect(page[stateKey]).to.deep.equal({
        version,
        settings: { apiOrigin: 'https://api.mentoring.test', publishableKey: 'pk_test_museoLeonardiano' },
      });
    } finally {
      tag.remove();
    }
  });

  it('steps aside, with a warning naming both versions, when another version already runs on the page', async () => {
    const running = { version: '0.0.9', settings: undefined };
    page[stateKey] = running;
    const warned = await captureConsole('warn', async () => {
      await import(`${new URL('./mentoring.ts', import.meta.url).href}?copy=3`);
    });
    expect(warned).to.deep.equal([`Mentoring widgets ${version} not started: version 0.0.9 is already on this page.`]);
    expect(page[stateKey]).to.equal(running);
  });
});
