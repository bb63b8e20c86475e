/** SECURITY.md items 1-6: the password policy and password storage of the built-in provider. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { build } from '../helpers/build.ts';
import { bearer, changePassword, confirmedUser, signIn, tokenUser, uniqueEmail } from '../helpers/users.ts';

const signup = (b: Awaited<ReturnType<typeof build>>, password: string, email = uniqueEmail()) =>
  b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password } });

describe('passwords', () => {
  test('SECURITY 1: 14 characters is refused with a reason; 15 and 64 are accepted; 1 MB fails fast', async (t) => {
    const b = await build(t);
    const short = await signup(b, 'violin orbit qz');
    assert.equal(short.statusCode, 202, 'control: 15 characters');
    const fourteen = await signup(b, 'violin orbit q');
    assert.equal(fourteen.statusCode, 400);
    assert.equal(fourteen.json().error.code, 'PASSWORD_TOO_SHORT');
    assert.match(fourteen.json().error.message, /at least 15/);
    assert.equal((await signup(b, 'lantern '.repeat(8))).statusCode, 202); // 64
    for (const size of [60_000, 1_000_000]) {
      const start = performance.now();
      const huge = await signup(b, 'x'.repeat(size));
      const ms = performance.now() - start;
      assert.ok(huge.statusCode >= 400 && huge.statusCode < 500, `${size}: ${huge.statusCode}`);
      assert.ok(ms < 500, `${size}-byte password took ${ms} ms`);
    }
  });

  test('SECURITY 2: passphrases, spaces, emoji and other scripts are accepted; length is code points', async (t) => {
    const b = await build(t);
    for (const password of [
      'all lowercase words are fine',
      'тихая гавань у моря',
      '静かな港に船が帰ってくる夜の海',
      '🦊🐙🦉🐢🦋🐝🦀🐬🦔🐿🦥🦦🦨🦩🐘',
    ]) {
      const u = await confirmedUser(b, uniqueEmail(), password);
      await signIn(b, u.email, password);
    }
    const emoji14 = await signup(b, '🦊🐙🦉🐢🦋🐝🦀🐬🦔🐿🦥🦦🦨🦩'); // 28 UTF-16 units, 14 code points
    assert.equal(emoji14.json().error.code, 'PASSWORD_TOO_SHORT');
  });

  test('SECURITY 3: an 80-byte password is not truncated to 72 bytes, and case matters', async (t) => {
    const b = await build(t);
    const password = 'seventy two bytes is where bcrypt stops reading, but we go on: tail end 80';
    const padded = password.padEnd(80, '!');
    assert.equal(Buffer.byteLength(padded), 80);
    const { email } = await confirmedUser(b, uniqueEmail(), padded);
    const first72 = Buffer.from(padded).subarray(0, 72).toString();
    for (const attempt of [first72, padded.toUpperCase()]) {
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signin',
        payload: { email, password: attempt },
      });
      assert.equal(res.statusCode, 401);
    }
    await signIn(b, email, padded);
  });

  test('SECURITY 4: sign-up, change and reset refuse common passwords and ones built on context', async (t) => {
    const b = await build(t);
    const email = uniqueEmail('jdoe');
    const local = email.split('@')[0] ?? '';
    for (const [password, code] of [
      ['1234567890qwerty', 'PASSWORD_TOO_COMMON'],
      ['passwordpassword', 'PASSWORD_TOO_COMMON'],
      ['Gatehouse2024!!!', 'PASSWORD_TOO_PREDICTABLE'],
      [`${local}!!`, 'PASSWORD_TOO_PREDICTABLE'],
    ] as const) {
      const res = await signup(b, password, email);
      assert.equal(res.statusCode, 400, password);
      assert.equal(res.json().error.code, code, password);
      assert.ok(res.json().error.message.length > 10);
    }
    const { tokens, email: e2 } = await tokenUser(b);
    const change = await changePassword(
      b,
      { current_password: 'correct horse battery staple violin', new_password: 'qwertyuiop123456' },
      bearer(tokens.access_token),
    );
    assert.equal(change.json().error.code, 'PASSWORD_TOO_COMMON');
    await b.expectMail(e2, () =>
      b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email: e2 } }),
    );
    const reset = await b.app.inject({
      method: 'POST',
      url: '/api/auth/reset-password',
      payload: { email: e2, confirmation_code: b.codeFor(e2), new_password: 'gatehouse gatehouse' },
    });
    assert.equal(reset.statusCode, 400);
    assert.match(reset.json().error.code, /^PASSWORD_TOO_(COMMON|PREDICTABLE)$/);
  });

  test('SECURITY 5: scrypt hashes with distinct salts; the plaintext is stored nowhere', async (t) => {
    const b = await build(t);
    const password = 'identical passphrase for two users';
    await confirmedUser(b, uniqueEmail(), password);
    await confirmedUser(b, uniqueEmail(), password);
    const db = new Database(join(b.dataDir, 'identity.db'), { readonly: true });
    const rows = db.prepare('SELECT password_hash FROM users').all() as { password_hash: string }[];
    db.close();
    assert.equal(rows.length, 2);
    for (const r of rows) assert.match(r.password_hash, /^scrypt\$\d+\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.notEqual(rows[0]?.password_hash, rows[1]?.password_hash);
    assert.notEqual(rows[0]?.password_hash.split('$')[4], rows[1]?.password_hash.split('$')[4]);
    for (const file of readdirSync(b.dataDir, { recursive: true }) as string[]) {
      const full = join(b.dataDir, file);
      try {
        assert.equal(readFileSync(full).includes(password), false, `${file} holds the plaintext`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      }
    }
    assert.equal(b.logs().includes(password), false);
  });

  test('SECURITY 6: changing the password needs the current one and signs other sessions out', async (t) => {
    const b = await build(t);
    const { email, tokens } = await tokenUser(b);
    const elsewhere = await signIn(b, email);
    const wrong = await changePassword(
      b,
      { current_password: 'a guess that is long enough', new_password: 'a fresh passphrase for me' },
      bearer(tokens.access_token),
    );
    assert.equal(wrong.statusCode, 401);
    const missing = await changePassword(
      b,
      { new_password: 'a fresh passphrase for me' },
      bearer(tokens.access_token),
    );
    assert.equal(missing.statusCode, 400);
    const ok = await b.app.inject({
      method: 'POST',
      url: '/api/auth/change-password',
      headers: bearer(tokens.access_token),
      payload: {
        current_password: 'correct horse battery staple violin',
        new_password: 'a fresh passphrase for me',
      },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: bearer(elsewhere.access_token) })).statusCode,
      401,
    );
  });
});
