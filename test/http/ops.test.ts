/** Operations routes: health, readiness, discovery, OpenAPI, docs, and the dev outbox. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { READY_CACHE_MS } from '../../src/http/routes/ops.routes.ts';
import { build } from '../helpers/build.ts';
import { signUp, tokenUser } from '../helpers/users.ts';

describe('operations', () => {
  test('GET /health answers ok without I/O', async (t) => {
    const b = await build(t);
    await b.deps.store.close(); // even with the store gone
    const res = await b.app.inject({ url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('GET /ready checks every adapter and says which failed; one round of checks answers for 5 s', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    // Count the store's pings: every round of checks pings each adapter once.
    const store = b.deps.store as { ping: () => Promise<void> };
    const ping = store.ping.bind(store);
    let pings = 0;
    store.ping = () => {
      pings++;
      return ping();
    };
    const ready = () => b.app.inject({ url: '/ready' });
    const ok = await ready();
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().checks, { identity: 'ok', store: 'ok', blobs: 'ok' });
    assert.equal(ok.json().checked_at, new Date(now).toISOString());
    assert.equal(ok.headers['cache-control'], 'no-store');
    await b.deps.store.close();
    now += READY_CACHE_MS - 1;
    const cached = await ready();
    assert.equal(cached.statusCode, 200, 'a probe within the window gets the last round');
    assert.equal(cached.json().checked_at, ok.json().checked_at);
    assert.equal(pings, 1);
    now += 1;
    const bad = await ready();
    assert.equal(bad.statusCode, 503);
    assert.equal(bad.json().checks.store, 'failed');
    assert.equal(pings, 2);
    now += READY_CACHE_MS;
    const together = await Promise.all([ready(), ready(), ready()]);
    assert.deepEqual(
      together.map((r) => r.statusCode),
      [503, 503, 503],
    );
    assert.equal(pings, 3, 'probes at the same moment share one round');
  });

  test('JWKS and OpenID discovery describe the built-in issuer', async (t) => {
    const b = await build(t);
    const jwks = await b.app.inject({ url: '/.well-known/jwks.json' });
    assert.equal(jwks.statusCode, 200);
    const key = jwks.json().keys[0];
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    const oidc = (await b.app.inject({ url: '/.well-known/openid-configuration' })).json();
    assert.equal(oidc.issuer, 'http://localhost:3000');
    assert.equal(oidc.jwks_uri, 'http://localhost:3000/.well-known/jwks.json');
  });

  test('GET /openapi.json documents every API route; /docs serves the explorer', async (t) => {
    const b = await build(t);
    const doc = (await b.app.inject({ url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/api/auth/signup',
      '/api/auth/confirm',
      '/api/auth/resend-code',
      '/api/auth/signin',
      '/api/auth/mfa',
      '/api/auth/refresh',
      '/api/auth/signout',
      '/api/auth/forgot-password',
      '/api/auth/reset-password',
      '/api/auth/change-password',
      '/api/auth/mfa/totp/setup',
      '/api/auth/mfa/totp/verify',
      '/api/auth/mfa/totp',
      '/api/session',
      '/api/session/mfa',
      '/api/sessions',
      '/api/sessions/{id}',
      '/api/users/me',
      '/api/client-config',
    ]) {
      assert.ok(doc.paths[path], `OpenAPI lacks ${path}`);
    }
    assert.ok(doc.paths['/api/auth/signup'].post.requestBody);
    assert.deepEqual(doc.paths['/api/users/me'].get.security, [{ bearer: [] }, { session: [] }]);
    assert.equal(doc.paths['/api/auth/signin'].post.security, undefined);
    assert.ok(doc.components.securitySchemes.bearer);
    assert.match(JSON.stringify(doc.paths['/api/auth/signin'].post.responses.default), /UPPER_SNAKE/);
    const docs = await b.app.inject({ url: '/docs' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger-ui-bundle\.js/);
    assert.doesNotMatch(docs.body, /<script>|style=/, 'no inline code: the strict CSP applies');
    assert.match(String(docs.headers['content-security-policy']), /script-src 'self';/);
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) {
      const res = await b.app.inject({ url: `/docs/static/${file}` });
      assert.equal(res.statusCode, 200, file);
    }
    assert.match((await b.app.inject({ url: '/docs/static/init.js' })).body, /openapi\.json/);
    for (const bad of [
      '..%2fpackage.json',
      'package.json',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'constructor',
    ]) {
      assert.equal((await b.app.inject({ url: `/docs/static/${bad}` })).statusCode, 404, bad);
    }
    assert.equal((await b.app.inject({ url: '/docs/' })).headers.location, '/docs');
  });

  test('GET /api/dev/mail lists the outbox to loopback clients only', async (t) => {
    const b = await build(t);
    const { email } = await signUp(b);
    const res = await b.app.inject({
      url: `/api/dev/mail?to=${encodeURIComponent(email)}`,
      remoteAddress: '127.0.0.1',
    });
    assert.equal(res.statusCode, 200);
    const messages = res.json().messages;
    assert.equal(messages.length, 1);
    assert.match(messages[0].text, /\b\d{6}\b/);
    const remote = await b.app.inject({ url: '/api/dev/mail', remoteAddress: '203.0.113.9' });
    assert.equal(remote.statusCode, 403);
    assert.equal(remote.json().error.code, 'LOOPBACK_ONLY');
    const proxied = await b.app.inject({
      url: '/api/dev/mail',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(proxied.statusCode, 403);
    assert.deepEqual(Object.keys(messages[0]).sort(), ['at', 'html', 'id', 'kind', 'subject', 'text', 'to']);
    assert.equal(messages[0].kind, 'confirmation-code');
    assert.match(messages[0].html, /^<!doctype html>/);
  });

  test("GET /api/dev/mail/:id/html serves a message's HTML part sandboxed, to loopback clients only", async (t) => {
    const b = await build(t);
    const { email } = await signUp(b);
    const [message] = b.deps.devOutbox?.list() ?? [];
    assert.ok(message && message.to === email);
    assert.equal('outbox' in b.deps.mail, false, 'the mail port given to services has no outbox');
    const page = await b.app.inject({ url: `/api/dev/mail/${message.id}/html`, remoteAddress: '127.0.0.1' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html; charset=utf-8/);
    const csp = page.headers['content-security-policy'];
    assert.match(String(csp), /default-src 'none'/);
    assert.match(String(csp), /\bsandbox\b/);
    assert.match(String(csp), /frame-ancestors 'self'/);
    assert.ok(page.body.includes(message.html.replace(/<head>/i, '<head><base target="_blank">')));
    const remote = await b.app.inject({
      url: `/api/dev/mail/${message.id}/html`,
      remoteAddress: '203.0.113.9',
    });
    assert.equal(remote.statusCode, 403);
    const missing = await b.app.inject({
      url: '/api/dev/mail/00000000-0000-4000-8000-000000000000/html',
      remoteAddress: '127.0.0.1',
    });
    assert.equal(missing.statusCode, 404);
  });

  test('GET /api/client-config gives the web app the password policy, the phone country and whether the mailbox is served', async (t) => {
    const b = await build(t, {
      PASSWORD_MIN_LENGTH: '20',
      PASSWORD_MAX_LENGTH: '200',
      SERVICE_NAME: 'Acme',
      PHONE_DEFAULT_COUNTRY: 'de',
    });
    const local = await b.app.inject({ url: '/api/client-config', remoteAddress: '127.0.0.1' });
    assert.equal(local.statusCode, 200);
    assert.deepEqual(local.json(), {
      service_name: 'Acme',
      password: { min_length: 20, max_length: 200 },
      phone_default_country: 'DE',
      dev_mailbox: true,
      // cognito-local's pool has no sign-in policy, so no WEB_AUTHN first factor: none offered.
      passkeys: b.deps.identity.mode !== 'cognito',
      // Cognito has no rename, names passkeys itself, and its sign-in needs the account's email.
      ...(b.deps.identity.mode === 'cognito'
        ? {
            passkey_rename: false,
            passkey_sign_in_needs_email: true,
            passkey_keeps_name: false,
            passkey_reports_use: false,
          }
        : {
            passkey_rename: true,
            passkey_sign_in_needs_email: false,
            passkey_keeps_name: true,
            passkey_reports_use: true,
          }),
    });
    assert.equal(local.headers['cache-control'], 'no-cache');
    // Exactly when GET /api/dev/mail would refuse the caller, the app does not offer the mailbox.
    for (const request of [
      { remoteAddress: '203.0.113.9' },
      { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } },
    ]) {
      const answer = await b.app.inject({ url: '/api/client-config', ...request });
      assert.equal(answer.json().dev_mailbox, false, JSON.stringify(request));
      const mail = await b.app.inject({ url: '/api/dev/mail', ...request });
      assert.equal(mail.statusCode, 403);
    }
  });

  test('GET /api/users/me answers the same user for Bearer and cookie callers', async (t) => {
    const b = await build(t);
    const { tokens, email } = await tokenUser(b);
    const me = await b.app.inject({
      url: '/api/users/me',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(me.statusCode, 200);
    const body = me.json();
    assert.equal(body.email, email);
    assert.equal(body.plan, 'trial');
    assert.equal(body.email_verified, true);
    assert.equal(body.mfa_enabled, false);
    assert.ok(!Number.isNaN(Date.parse(body.created_at)));
    assert.deepEqual(Object.keys(body).sort(), [
      'created_at',
      'email',
      'email_verified',
      'groups',
      'mfa_enabled',
      'name',
      'plan',
      'user_id',
    ]);
  });

  test('GET / and client routes serve the web app under the strict CSP; server paths never fall back to it', async (t) => {
    const b = await build(t, { APP_ORIGIN: 'https://app.example.com' });
    for (const url of ['/', '/signin', '/files?x=1', '/billing']) {
      const page = await b.app.inject({ url });
      assert.equal(page.statusCode, 200, url);
      assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(page.headers['cache-control'], 'no-cache', 'index.html is never cached');
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'; style-src 'self'/);
      // Built or not, no inline script and no inline style: every script is a file of our own.
      assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc="\/)[^>]*>|style=/);
    }
    for (const url of [
      '/api/nothing',
      '/billing/nothing',
      '/.well-known/nothing',
      '/assets/missing-abc.js',
      '/x.php',
    ]) {
      const res = await b.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'NOT_FOUND', url);
    }
    // A path that is neither a page of the app nor the server's is the app's not-found page with a
    // real 404, never cached; the app's own page list decides (APP_PAGES).
    for (const url of ['/nope', '/signin/extra', '/Files', '/admin/users/', '/admin/users/a/b']) {
      const page = await b.app.inject({ url });
      assert.equal(page.statusCode, 404, url);
      assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/, url);
      assert.equal(page.headers['cache-control'], 'no-cache', url);
    }
    // Pages whose address carries an id (a user on the admin console) are pages too.
    for (const url of [
      '/admin/users/3f1c2b9e-77aa-4c1e-9d0b-5e2a1c7d8f00',
      '/admin/audit?type=auth.signin',
    ]) {
      assert.equal((await b.app.inject({ url })).statusCode, 200, url);
    }
    const css = await b.app.inject({ url: '/assets/base.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
  });
});
