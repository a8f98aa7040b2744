import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('starts with no environment at all: port 8787, embedded database in ./.data', () => {
    assert.deepEqual(loadConfig({}, '/srv/mentoring'), {
      port: 8787,
      databaseUrl: undefined,
      adminKey: undefined,
      dataDir: '/srv/mentoring/.data',
      publicBaseUrl: undefined,
      trustProxy: false,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '3000',
        DATABASE_URL: 'postgres://mentoring@db.internal:5432/mentoring',
        MENTORING_ADMIN_KEY: 'sk_live_6Jc1x2v3b4n5m6a7s8d9f0g1h2j3k4l5',
        MENTORING_DATA_DIR: '/var/lib/mentoring',
        PUBLIC_BASE_URL: 'https://mentoring.vigevano.it/',
        TRUST_PROXY: 'true',
      },
      '/srv',
    );
    assert.deepEqual(config, {
      port: 3000,
      databaseUrl: 'postgres://mentoring@db.internal:5432/mentoring',
      adminKey: 'sk_live_6Jc1x2v3b4n5m6a7s8d9f0g1h2j3k4l5',
      dataDir: '/var/lib/mentoring',
      publicBaseUrl: 'https://mentoring.vigevano.it',
      trustProxy: true,
    });
  });

  it('treats an empty value as unset, as a .env file means it', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).port, 8787);
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).databaseUrl, undefined);
  });

  it('names every bad variable, its value and what it should be, in one error', () => {
    assert.throws(
      () => loadConfig({ PORT: '80a', DATABASE_URL: 'mysql://localhost/db', PUBLIC_BASE_URL: 'mentoring.it' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PORT="80a": must be a whole number from 0 to 65535/);
        assert.match(error.message, /DATABASE_URL=\(value hidden\): must be a postgres:\/\/ or postgresql:\/\/ URL/);
        assert.match(error.message, /PUBLIC_BASE_URL="mentoring.it": must be an http:\/\/ or https:\/\/ URL/);
        return true;
      },
    );
  });

  it('refuses a port out of range', () => {
    assert.throws(() => loadConfig({ PORT: '70000' }), /PORT="70000": must be a whole number from 0 to 65535/);
  });

  it('refuses a weak or wrongly shaped admin key, without printing it', () => {
    assert.throws(() => loadConfig({ MENTORING_ADMIN_KEY: 'admin' }), (error: Error) => {
      assert.match(error.message, /MENTORING_ADMIN_KEY=\(value hidden\): must look like sk_test_/);
      assert.doesNotMatch(error.message, /admin"/);
      return true;
    });
    assert.throws(() => loadConfig({ MENTORING_ADMIN_KEY: 'sk_live_short' }), /MENTORING_ADMIN_KEY/);
  });

  it('refuses a public base URL with a query', () => {
    assert.throws(() => loadConfig({ PUBLIC_BASE_URL: 'https://a.it/?x=1' }), /must not contain a query or a fragment/);
  });
});
