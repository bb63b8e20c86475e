import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError, settings } from '../../src/config/settings.ts';

const cognito = {
  IDENTITY_PROVIDER: 'cognito',
  AWS_REGION: 'eu-west-1',
  COGNITO_USER_POOL_ID: 'eu-west-1_x',
  COGNITO_CLIENT_ID: 'c',
};

describe('config schema', () => {
  test('defaults alone make a valid configuration', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.appOrigin, 'http://localhost:3000');
    assert.equal(c.passwordMinLength, 15);
    assert.equal(c.passwordMaxLength, 1024);
    assert.deepEqual(c.corsOrigins, []);
    assert.ok(Object.isFrozen(c));
  });

  test('APP_ORIGIN follows PORT unless it is set', () => {
    assert.equal(loadConfig({ PORT: '3101' }).appOrigin, 'http://localhost:3101');
    assert.equal(loadConfig({ PORT: '3101', APP_ORIGIN: '' }).appOrigin, 'http://localhost:3101');
    assert.equal(loadConfig({ PORT: '80' }).appOrigin, 'http://localhost');
    assert.equal(
      loadConfig({ PORT: '3101', APP_ORIGIN: 'https://app.example.com' }).appOrigin,
      'https://app.example.com',
    );
  });

  test('on loopback with the default APP_ORIGIN the app is also 127.0.0.1 and [::1] at PORT, and only then', () => {
    const same = ['http://localhost:3101', 'http://127.0.0.1:3101', 'http://[::1]:3101'];
    assert.deepEqual(loadConfig({ PORT: '3101' }).loopbackOrigins, same);
    assert.deepEqual(loadConfig({ PORT: '3101', HOST: 'localhost' }).loopbackOrigins, same);
    assert.deepEqual(loadConfig({ PORT: '3101', HOST: '::1' }).loopbackOrigins, same);
    assert.ok(Object.isFrozen(loadConfig({}).loopbackOrigins));
    // Nothing is loosened beyond this machine, nor when the operator has said what the origin is,
    // even if what they said is the default itself.
    assert.deepEqual(loadConfig({ PORT: '3101', HOST: '0.0.0.0' }).loopbackOrigins, []);
    assert.deepEqual(loadConfig({ PORT: '3101', HOST: '192.168.1.20' }).loopbackOrigins, []);
    assert.deepEqual(loadConfig({ PORT: '3101', APP_ORIGIN: 'http://localhost:3101' }).loopbackOrigins, []);
    assert.deepEqual(loadConfig({ APP_ORIGIN: 'https://app.example.com' }).loopbackOrigins, []);
  });

  test('LOG_FORMAT: pretty, json, or empty for "pretty on a terminal"', () => {
    assert.equal(loadConfig({}).logFormat, null);
    assert.equal(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
    assert.equal(loadConfig({ LOG_FORMAT: 'json' }).logFormat, 'json');
  });

  test('values are parsed and typed', () => {
    const c = loadConfig({
      PORT: '8080',
      CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      ADMIN_EMAILS: 'Root@Example.com',
      TRUST_PROXY_HOPS: '1',
      APP_ORIGIN: 'https://app.example.com/',
    });
    assert.equal(c.port, 8080);
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example:8443']);
    assert.deepEqual(c.adminEmails, ['root@example.com']);
    assert.equal(c.trustProxyHops, 1);
    assert.equal(c.appOrigin, 'https://app.example.com');
    assert.equal(loadConfig({}).phoneDefaultCountry, 'US');
    assert.equal(loadConfig({ PHONE_DEFAULT_COUNTRY: ' fr ' }).phoneDefaultCountry, 'FR');
  });

  test('social sign-in settings: an issuer may have a path; loopback http is a local stand-in', () => {
    const c = loadConfig({
      OIDC_ISSUER: 'https://sso.example/realms/main/',
      OIDC_CLIENT_ID: 'gatehouse',
      GOOGLE_ISSUER: 'http://127.0.0.1:4000',
    });
    assert.equal(c.oidcIssuer, 'https://sso.example/realms/main');
    assert.equal(c.googleIssuer, 'http://127.0.0.1:4000');
    const k = loadConfig({
      ...cognito,
      COGNITO_DOMAIN: 'https://x.auth.eu-west-1.amazoncognito.com',
      COGNITO_IDENTITY_PROVIDERS: 'Google, LoginWithAmazon',
    });
    assert.deepEqual(k.cognitoIdentityProviders, ['Google', 'LoginWithAmazon']);
  });

  const bad: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ APP_ORIGIN: 'not a url' }, 'APP_ORIGIN'],
    [{ APP_ORIGIN: 'https://a.example/path' }, 'APP_ORIGIN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_FORMAT: 'yaml' }, 'LOG_FORMAT'],
    [{ PORT: 'abc', APP_ORIGIN: '' }, 'PORT'],
    [{ CORS_ORIGINS: 'ftp://x.example' }, 'CORS_ORIGINS'],
    [{ IDENTITY_PROVIDER: 'okta' }, 'IDENTITY_PROVIDER'],
    [{ PASSWORD_MIN_LENGTH: '4' }, 'PASSWORD_MIN_LENGTH'],
    [{ PASSWORD_MIN_LENGTH: '64', PASSWORD_MAX_LENGTH: '64' }, 'never'],
    [{ SESSION_IDLE_TTL_SECONDS: '999999', SESSION_TTL_SECONDS: '3600' }, 'SESSION_IDLE_TTL_SECONDS'],
    [{ ADMIN_EMAILS: 'not-an-email' }, 'ADMIN_EMAILS'],
    [{ PHONE_DEFAULT_COUNTRY: 'UK' }, 'PHONE_DEFAULT_COUNTRY'],
    [{ PHONE_DEFAULT_COUNTRY: 'GBR' }, 'PHONE_DEFAULT_COUNTRY'],
    // Social sign-in: tokens and secrets never travel over plain http off this machine.
    [{ GOOGLE_ISSUER: 'http://accounts.example' }, 'GOOGLE_ISSUER'],
    [{ OIDC_ISSUER: 'http://sso.example/realm', OIDC_CLIENT_ID: 'x' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'https://sso.example/realm?x=1', OIDC_CLIENT_ID: 'x' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'https://sso.example/realm' }, 'OIDC_CLIENT_ID'],
    [{ COGNITO_IDENTITY_PROVIDERS: 'Google' }, 'COGNITO_IDENTITY_PROVIDERS'],
    [{ ...cognito, COGNITO_IDENTITY_PROVIDERS: 'Google' }, 'COGNITO_DOMAIN'],
    [
      {
        ...cognito,
        COGNITO_DOMAIN: 'https://x.auth.eu-west-1.amazoncognito.com',
        COGNITO_IDENTITY_PROVIDERS: 'Google,google',
      },
      'COGNITO_IDENTITY_PROVIDERS',
    ],
    [
      {
        ...cognito,
        COGNITO_DOMAIN: 'https://x.auth.eu-west-1.amazoncognito.com',
        COGNITO_IDENTITY_PROVIDERS: 'Go ogle',
      },
      'COGNITO_IDENTITY_PROVIDERS',
    ],
    [{ ...cognito, GOOGLE_CLIENT_ID: 'abc' }, 'GOOGLE_CLIENT_ID'],
  ];
  for (const [env, variable] of bad) {
    test(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      if (variable === 'never') {
        assert.doesNotThrow(() => loadConfig(env));
        return;
      }
      assert.throws(
        () => loadConfig(env),
        (err: unknown) =>
          err instanceof ConfigError && err.variable === variable && err.message.startsWith(variable),
      );
    });
  }

  test('every setting is documented in the README with its default', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const s of Object.values(settings)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.name}\``));
      assert.ok(row, `README lacks a row for ${s.name}`);
      assert.ok(
        row.includes(s.default ? `\`${s.default}\`` : '(empty)'),
        `README row of ${s.name} lacks its default`,
      );
    }
  });

  test('a bad setting stops the server with one line naming it', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: '/tmp/gh-never-created' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^Configuration error: PORT: must be a whole number/);
  });

  test('choosing AWS adapters names every missing setting, and which choice needs it, in one line', () => {
    assert.throws(
      () => loadConfig({ IDENTITY_PROVIDER: 'cognito', STORE: 'dynamodb', BLOBS: 's3', SECRETS: 'aws' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message ===
          'AWS_REGION: is required by IDENTITY_PROVIDER=cognito, STORE=dynamodb, BLOBS=s3, SECRETS=aws; also missing: COGNITO_USER_POOL_ID (IDENTITY_PROVIDER=cognito), COGNITO_CLIENT_ID (IDENTITY_PROVIDER=cognito), DYNAMODB_TABLE (STORE=dynamodb), S3_BUCKET (BLOBS=s3), SECRETS_ID (SECRETS=aws)',
    );
    assert.throws(
      () => loadConfig({ BLOBS: 's3', AWS_REGION: 'eu-west-1' }),
      /S3_BUCKET: is required by BLOBS=s3$/,
    );
    const ok = loadConfig({
      BLOBS: 's3',
      AWS_REGION: 'eu-west-1',
      S3_BUCKET: 'files',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
    });
    assert.equal(ok.s3Endpoint, 'http://127.0.0.1:4568');
    assert.throws(() => loadConfig({ S3_ENDPOINT: 'not a url' }), /S3_ENDPOINT/);
  });
});
