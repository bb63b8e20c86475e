/**
 * SECURITY.md items 29 and 30: the social sign-in callback against a real OpenID Provider
 * (oidc-provider, in-process) playing Google, and a second one playing a generic OIDC issuer.
 * Every refusal is checked the way a user would notice it: a redirect to the sign-in page with
 * ?oauth_error=<CODE>, no session cookie, and no account made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import type { Built } from '../helpers/build.ts';
import { type LocalOp, startOidcProvider } from '../helpers/oidc-provider.ts';
import {
  atProvider,
  buildWithGoogle,
  callback,
  callbackOf,
  GOOGLE,
  hasSession,
  person,
  signInWith,
  start,
  startGoogle,
} from '../helpers/social.ts';

const OIDC = { client_id: 'gatehouse-oidc', client_secret: 'oidc-secret-0123456789' };
let google: LocalOp;
let other: LocalOp;
before(async () => {
  google = await startGoogle();
  other = await startOidcProvider({ clients: [{ ...OIDC, redirect_uris: [callbackOf('oidc')] }] });
});
after(async () => {
  await google.close();
  await other.close();
});

const app = (t: Parameters<typeof buildWithGoogle>[0]) =>
  buildWithGoogle(t, google, {
    OIDC_ISSUER: other.issuer,
    OIDC_CLIENT_ID: OIDC.client_id,
    OIDC_CLIENT_SECRET: OIDC.client_secret,
    OIDC_NAME: 'Example SSO',
  });

/** A refused callback: back to sign-in with the code, no session, nobody signed up. */
async function assertRefused(
  b: Built,
  res: Awaited<ReturnType<typeof callback>>,
  code: string,
  email?: string,
) {
  assert.equal(res.statusCode, 302, res.body);
  assert.equal(res.headers.location, `/signin?oauth_error=${code}`);
  assert.equal(hasSession(res), false, 'no session cookie');
  const cleared = res.cookies.find((c) => c.name.endsWith('gh_oauth'));
  assert.equal(cleared?.value, '', 'the flow cookie is cleared');
  if (email) assert.equal(await b.deps.identity.adminGetUserByEmail(email), null, 'no account was made');
}

const withParam = (path: string, name: string, value: string | null) => {
  const url = new URL(path, 'http://x');
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
};

describe('social sign-in callback', () => {
  test('SECURITY 29: a callback without state, or with a wrong one, is rejected', async (t) => {
    const b = await app(t);
    const p = person();
    for (const state of [null, 'x'.repeat(43), '']) {
      const s = await start(b);
      const path = await atProvider(google, p, s.location);
      await assertRefused(
        b,
        await callback(b, withParam(path, 'state', state), s.flowCookie),
        'OAUTH_REJECTED',
        p.email,
      );
      // The flow died with the wrong state: the real one cannot be used after it either.
      await assertRefused(b, await callback(b, path, s.flowCookie), 'OAUTH_REJECTED', p.email);
    }
    const ok = await signInWith(b, google, p);
    assert.ok(hasSession(ok), 'the same person with a proper flow signs in');
  });

  test('SECURITY 29: a state from another browser session is rejected', async (t) => {
    const b = await app(t);
    const attacker = person();
    // The attacker starts a flow and gets a code for their own account, then makes the victim's
    // browser open the callback: the victim has no flow, or a flow of their own.
    const theirs = await start(b);
    const path = await atProvider(google, attacker, theirs.location);
    await assertRefused(b, await callback(b, path), 'OAUTH_REJECTED', attacker.email);
    const victims = await start(b);
    await assertRefused(b, await callback(b, path, victims.flowCookie), 'OAUTH_REJECTED', attacker.email);
    // A flow cookie the server never issued is worthless too.
    await assertRefused(b, await callback(b, path, `gh_oauth=${'A'.repeat(43)}`), 'OAUTH_REJECTED');
  });

  test('SECURITY 29: a state from another provider is rejected', async (t) => {
    const b = await app(t);
    const p = person();
    const s = await start(b, 'google');
    const path = await atProvider(google, p, s.location);
    const elsewhere = path.replace('/oauth/google/callback', '/oauth/oidc/callback');
    await assertRefused(b, await callback(b, elsewhere, s.flowCookie), 'OAUTH_REJECTED', p.email);
    // And the other way round: an OIDC flow's cookie and state at Google's callback.
    const o = await start(b, 'oidc');
    const oPath = await atProvider(other, p, o.location);
    const atGoogle = oPath.replace('/oauth/oidc/callback', '/oauth/google/callback');
    await assertRefused(b, await callback(b, atGoogle, o.flowCookie), 'OAUTH_REJECTED', p.email);
  });

  test('SECURITY 29: an authorization code that was used is rejected', async (t) => {
    const b = await app(t);
    const p = person();
    const s = await start(b);
    const path = await atProvider(google, p, s.location);
    const first = await callback(b, path, s.flowCookie);
    assert.ok(hasSession(first));
    // The same callback again (a replayed URL with its cookie): the flow is spent.
    await assertRefused(b, await callback(b, path, s.flowCookie), 'OAUTH_REJECTED');
    // The used code in a fresh flow of this browser: the state checks out, the provider refuses the code.
    const fresh = await start(b);
    const state = new URL(fresh.location).searchParams.get('state');
    const errorsBefore = google.tokenErrors();
    await assertRefused(
      b,
      await callback(b, withParam(path, 'state', state), fresh.flowCookie),
      'OAUTH_REJECTED',
    );
    assert.equal(google.tokenErrors(), errorsBefore + 1, 'the provider refused the spent code');
  });

  test('SECURITY 29: without the PKCE verifier the code is worthless', async (t) => {
    const b = await app(t);
    const p = person();
    // Every authorization request carries an S256 challenge of a verifier only the server holds.
    const s = await start(b);
    const asked = new URL(s.location).searchParams;
    assert.equal(asked.get('code_challenge_method'), 'S256');
    assert.match(asked.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(asked.has('code_verifier'), false);
    // A stolen code redeemed at the provider without the verifier is refused there.
    const path = await atProvider(google, p, s.location);
    const code = new URL(path, 'http://x').searchParams.get('code') ?? '';
    const basic = Buffer.from(`${GOOGLE.client_id}:${GOOGLE.client_secret}`).toString('base64');
    const stolen = await fetch(`${google.origin}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: callbackOf('google'),
      }),
    });
    assert.equal(stolen.status, 400);
    assert.equal(((await stolen.json()) as { error: string }).error, 'invalid_grant');
    // A code the provider issued without our challenge (the request stripped of it) is refused:
    // the server always sends its verifier, and it matches no challenge.
    const bare = await start(b);
    const stripped = new URL(bare.location);
    stripped.searchParams.delete('code_challenge');
    stripped.searchParams.delete('code_challenge_method');
    const strippedPath = await atProvider(google, p, stripped.href);
    await assertRefused(b, await callback(b, strippedPath, bare.flowCookie), 'OAUTH_REJECTED', p.email);
  });

  test('SECURITY 29: a flow is short-lived', async (t) => {
    let now = Date.now();
    const b = await buildWithGoogle(t, google, {}, () => now);
    const p = person();
    const s = await start(b);
    const path = await atProvider(google, p, s.location);
    now += 10 * 60_000 + 1;
    await assertRefused(b, await callback(b, path, s.flowCookie), 'OAUTH_REJECTED', p.email);
  });

  test("SECURITY 30: the ID token nonce must be the flow's", async (t) => {
    const b = await app(t);
    const p = person();
    // A nonce changed on the way to the provider ends up in the ID token.
    const s = await start(b);
    const url = new URL(s.location);
    url.searchParams.set('nonce', 'n'.repeat(43));
    await assertRefused(
      b,
      await callback(b, await atProvider(google, p, url.href), s.flowCookie),
      'OAUTH_REJECTED',
      p.email,
    );
    // A validly signed ID token with another nonce, or none.
    for (const nonce of ['n'.repeat(43), undefined]) {
      google.tamperIdTokens((c) => ({ ...c, nonce }));
      t.after(() => google.tamperIdTokens(null));
      const res = await signInWith(b, google, p);
      google.tamperIdTokens(null);
      await assertRefused(b, res, 'OAUTH_REJECTED', p.email);
    }
  });

  test('SECURITY 30: the ID token audience must be our client id', async (t) => {
    const b = await app(t);
    const p = person();
    t.after(() => google.tamperIdTokens(null));
    for (const aud of ['someone-else', ['someone-else'], [GOOGLE.client_id, 'someone-else']]) {
      google.tamperIdTokens((c) => ({ ...c, aud, azp: 'someone-else' }));
      await assertRefused(b, await signInWith(b, google, p), 'OAUTH_REJECTED', p.email);
    }
    google.tamperIdTokens((c) => ({ ...c, aud: 'someone-else' }));
    await assertRefused(b, await signInWith(b, google, p), 'OAUTH_REJECTED', p.email);
  });

  test('SECURITY 30: the ID token issuer must be the provider, and so must the response', async (t) => {
    const b = await app(t);
    const p = person();
    t.after(() => google.tamperIdTokens(null));
    for (const iss of [other.issuer, `${google.issuer}/`, 'https://accounts.google.com']) {
      google.tamperIdTokens((c) => ({ ...c, iss }));
      await assertRefused(b, await signInWith(b, google, p), 'OAUTH_REJECTED', p.email);
    }
    google.tamperIdTokens(null);
    // RFC 9207: an authorization response that names another issuer is refused (mix-up).
    const s = await start(b);
    const path = await atProvider(google, p, s.location);
    assert.ok(new URL(path, 'http://x').searchParams.get('iss'), 'the provider names itself');
    await assertRefused(
      b,
      await callback(b, withParam(path, 'iss', other.issuer), s.flowCookie),
      'OAUTH_REJECTED',
      p.email,
    );
  });

  test('SECURITY 30: an ID token not signed by the provider is rejected', async (t) => {
    const b = await app(t);
    const p = person();
    const { privateKey } = await generateKeyPair('RS256');
    // The token endpoint's answer carries a token signed by someone else's key (same kid).
    const s = await start(b);
    const path = await atProvider(google, p, s.location);
    const realFetch = globalThis.fetch;
    t.after(() => {
      globalThis.fetch = realFetch;
    });
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith('/token')) return res;
      const body = (await res.json()) as Record<string, unknown>;
      const [header = ''] = String(body.id_token).split('.');
      const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
      const claims = JSON.parse(
        Buffer.from(String(body.id_token).split('.')[1] ?? '', 'base64url').toString(),
      );
      body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const res = await callback(b, path, s.flowCookie);
    globalThis.fetch = realFetch;
    await assertRefused(b, res, 'OAUTH_REJECTED', p.email);
  });
});
