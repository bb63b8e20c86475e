import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LocalOp } from '../helpers/oidc-provider.ts';
import {
  buildWithGoogle,
  hasSession,
  person,
  sessionOf,
  signInWith,
  startGoogle,
} from '../helpers/social.ts';

let google: LocalOp;
before(async () => {
  google = await startGoogle();
});
after(async () => google.close());

describe('social sign-in, built-in identity', () => {
  test('happy path: a new person signs in with Google and gets a browser session', async (t) => {
    const b = await buildWithGoogle(t, google);
    const p = person();
    const res = await signInWith(b, google, p, 'google', '?return_to=%2Ffiles');
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, '/files');
    assert.ok(hasSession(res));
    const me = await b.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: sessionOf(res) },
    });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().user.email, p.email);
  });
});
