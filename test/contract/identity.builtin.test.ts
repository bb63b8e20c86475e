/** The identity contract against the built-in provider, plus its key rotation. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createBuiltinIdentity } from '../../src/adapters/identity/builtin/builtin-identity.ts';
import { totpAt } from '../../src/domain/totp.ts';
import type { Mail, MailMessage } from '../../src/ports/mail.ts';
import { identityContract } from './identity.contract.ts';

function harness(dir: string, accessTokenTtl = 3600) {
  const sent: MailMessage[] = [];
  const mail: Mail = { send: async (m) => void sent.push(m) };
  let now = Date.now();
  const identity = createBuiltinIdentity({
    file: join(dir, 'identity.db'),
    issuer: 'http://localhost:3000',
    clientId: 'gatehouse',
    mail,
    mailContext: { serviceName: 'Gatehouse', appOrigin: 'http://localhost:3000' },
    hashCost: 10,
    accessTokenTtl,
    refreshTokenTtl: 30 * 24 * 3600,
    refreshIdleTtl: 7 * 24 * 3600,
    clock: () => now,
  });
  return {
    identity,
    sent,
    codeFor(email: string) {
      const m = [...sent].reverse().find((x) => x.to === email);
      const code = m && /\b(\d{6})\b/.exec(m.text)?.[1];
      if (!code) throw new Error(`no code for ${email}`);
      return code;
    },
    mailCount: (email: string) => sent.filter((x) => x.to === email).length,
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
  };
}

identityContract('builtin (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-identity-'));
  const h = harness(dir);
  return {
    ...h,
    async cleanup() {
      await h.identity.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('key rotation: the old key verifies until its tokens expire, then its kid stops working', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-keys-'));
  const h = harness(dir, 600);
  try {
    const { identity } = h;
    await identity.signUp({ email: 'rot@example.test', password: 'a long and unremarkable passphrase' });
    await identity.confirmSignUp('rot@example.test', h.codeFor('rot@example.test'));
    const before = await identity.initiateAuth('rot@example.test', 'a long and unremarkable passphrase');
    if (before.kind !== 'tokens') throw new Error('expected tokens');
    const oldKid = (await identity.getJwks()).keys[0]?.kid;
    const rotated = await identity.rotateKeys();
    assert.notEqual(rotated.kid, oldKid);
    const jwks = await identity.getJwks();
    assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [oldKid, rotated.kid].sort());
    const opts = { issuer: identity.issuer, currentDate: new Date(h.now()) };
    await jwtVerify(before.tokens.accessToken, createLocalJWKSet(jwks), opts);
    const after = await identity.initiateAuth('rot@example.test', 'a long and unremarkable passphrase');
    if (after.kind !== 'tokens') throw new Error('expected tokens');
    assert.equal(
      JSON.parse(Buffer.from(after.tokens.accessToken.split('.')[0] ?? '', 'base64url').toString()).kid,
      rotated.kid,
    );
    // Past the old key's last token lifetime (600 s + 60 s grace), the next rotation drops it.
    h.advance(661_000);
    await identity.rotateKeys();
    const kids = (await identity.getJwks()).keys.map((k) => k.kid);
    assert.equal(kids.includes(oldKid), false);
    await identity.close();
    // And the keys persist across restarts.
    const again = harness(dir, 600);
    assert.deepEqual((await again.identity.getJwks()).keys.map((k) => k.kid).sort(), kids.sort());
    await again.identity.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("federated users: confirmed without a password, signed in on the provider's word, TOTP still asked", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-federated-'));
  const h = harness(dir);
  try {
    const { identity } = h;
    const made = await identity.createFederatedUser({ email: 'fed@example.test', name: 'Fed' });
    assert.equal(made.outcome, 'created');
    if (made.outcome !== 'created') return;
    assert.equal(made.user.status, 'CONFIRMED');
    assert.equal(made.user.emailVerified, true);
    assert.equal(made.user.hasPassword, false);
    assert.equal(
      h.mailCount('fed@example.test'),
      0,
      'no confirmation code: the provider verified the address',
    );
    assert.deepEqual(await identity.createFederatedUser({ email: 'fed@example.test' }), {
      outcome: 'exists',
    });
    // No password opens it, not even an empty one.
    for (const pw of ['', 'a long and unremarkable passphrase'])
      await assert.rejects(identity.initiateAuth('fed@example.test', pw), { code: 'INVALID_CREDENTIALS' });
    const first = await identity.federatedSignIn(made.user.userId);
    assert.equal(first.kind, 'tokens');
    if (first.kind !== 'tokens') return;
    // With TOTP on, the provider's word only reaches the challenge.
    const { secret } = await identity.associateSoftwareToken(made.user.userId);
    await identity.verifySoftwareToken(made.user.userId, totpAt(secret, h.now()));
    h.advance(30_000);
    const second = await identity.federatedSignIn(made.user.userId);
    assert.equal(second.kind, 'challenge');
    await identity.adminDisableUser(made.user.userId);
    await assert.rejects(identity.federatedSignIn(made.user.userId), { code: 'USER_DISABLED' });
    await assert.rejects(identity.federatedSignIn('no-such-user'), { code: 'INVALID_CREDENTIALS' });
    // A reset code sets a first password; then the account has one.
    await identity.adminEnableUser(made.user.userId);
    await identity.forgotPassword('fed@example.test');
    await identity.confirmForgotPassword(
      'fed@example.test',
      h.codeFor('fed@example.test'),
      'a brand new long passphrase',
    );
    assert.equal((await identity.adminGetUser(made.user.userId))?.hasPassword, true);
    // Its links are Gatehouse's store's, never a silent success of the identity provider's.
    const google = { providerName: 'Google', subject: 'g-1' };
    await assert.rejects(identity.adminLinkProviderForUser(made.user.userId, google), {
      code: 'NOT_AVAILABLE_IN_MODE',
    });
    await assert.rejects(identity.adminDisableProviderForUser(made.user.userId, google), {
      code: 'NOT_AVAILABLE_IN_MODE',
    });
    await identity.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
