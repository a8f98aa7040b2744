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
      demo: true,
      rateLimits: { perIp: 60, perVoucher: 20, windowSeconds: 60 },
      webhookPrivateAddresses: true,
      bankTransfer: undefined,
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
        MENTORING_RATE_LIMIT_PER_IP: '300',
        MENTORING_RATE_LIMIT_PER_VOUCHER: '30',
        MENTORING_WEBHOOK_PRIVATE_ADDRESSES: 'true',
        MENTORING_BANK_TRANSFER_WEBHOOK_SECRET: 'whsec_0123456789abcdef0123456789abcdef',
        MENTORING_BANK_TRANSFER_IBAN: 'IT60 X054 2811 1010 0000 0123 456',
        MENTORING_BANK_TRANSFER_ACCOUNT_HOLDER: 'Associazione Mentoring Vigevano',
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
      demo: false,
      rateLimits: { perIp: 300, perVoucher: 30, windowSeconds: 60 },
      webhookPrivateAddresses: true,
      bankTransfer: {
        secret: 'whsec_0123456789abcdef0123456789abcdef',
        iban: 'IT60 X054 2811 1010 0000 0123 456',
        beneficiaryName: 'Associazione Mentoring Vigevano',
      },
    });
  });

  it('wants all three bank transfer variables or none, and hides the secret', () => {
    assert.throws(
      () => loadConfig({ MENTORING_BANK_TRANSFER_IBAN: 'IT60X0542811101000000123456' }),
      (error: Error) => error instanceof ConfigError && /go together/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ MENTORING_BANK_TRANSFER_WEBHOOK_SECRET: 'short-secret' }),
      (error: Error) => /MENTORING_BANK_TRANSFER_WEBHOOK_SECRET=\(value hidden\)/.test(error.message) && !error.message.includes('short-secret'),
    );
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

  it('refuses rate limits that are not a positive whole number', () => {
    assert.throws(() => loadConfig({ MENTORING_RATE_LIMIT_PER_IP: '0' }), /MENTORING_RATE_LIMIT_PER_IP="0": must be a whole number of requests a minute, from 1/);
    assert.throws(() => loadConfig({ MENTORING_RATE_LIMIT_PER_VOUCHER: '2.5' }), /MENTORING_RATE_LIMIT_PER_VOUCHER="2.5"/);
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
