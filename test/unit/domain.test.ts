import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { normalizeEmail } from '../../src/domain/email.ts';
import { AppError } from '../../src/domain/errors.ts';
import { checkPassword, parseCommonPasswords } from '../../src/domain/password-policy.ts';
import { base32Decode, base32Encode, hotp, matchTotp, totpAt } from '../../src/domain/totp.ts';

const common = parseCommonPasswords(readFileSync('src/domain/data/common-passwords.txt', 'utf8'));
const policy = { minLength: 15, maxLength: 1024, common };
const ctx = { serviceName: 'Gatehouse', email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };
const codeOf = (f: () => void) => {
  try {
    f();
    return 'OK';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('email normalisation', () => {
  test('normalises case, whitespace and fullwidth characters', () => {
    assert.equal(normalizeEmail('  Ada@Example.COM '), 'ada@example.com');
    assert.equal(normalizeEmail('ada＠example.com'), 'ada@example.com');
  });
  for (const bad of [
    '"a@evil.test"@victim.test',
    'a@victim.test\r\nBcc: x@evil.test',
    'a@evil.test,b@victim.test',
    'аdmin@example.com', // Cyrillic а
    'a b@example.com',
    'a@@example.com',
    'a＠evil.test@victim.test',
    'noat.example.com',
    'a@localhost',
    'a..b@example.com',
    `${'a'.repeat(300)}@example.com`,
  ]) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => normalizeEmail(bad),
        (e: unknown) => e instanceof AppError && e.code === 'INVALID_EMAIL',
      );
    });
  }
});

describe('password policy', () => {
  test('length is counted in code points, within 15..1024', () => {
    assert.equal(
      codeOf(() => checkPassword('abcdefghijklmn', policy, ctx)),
      'PASSWORD_TOO_SHORT',
    ); // 14
    assert.equal(
      codeOf(() => checkPassword('zebra lantern q', policy, ctx)),
      'OK',
    ); // 15
    assert.equal(
      codeOf(() => checkPassword('🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊', policy, ctx)),
      'PASSWORD_TOO_SHORT',
    ); // 14 emoji, 28 UTF-16 units
    assert.equal(
      codeOf(() => checkPassword('🦊🐙🦉🐢🦋🐝🦀🐬🦔🐿🦥🦦🦨🦩🐘', policy, ctx)),
      'OK',
    );
    assert.equal(
      codeOf(() => checkPassword('x'.repeat(1025), policy, ctx)),
      'PASSWORD_TOO_LONG',
    );
  });
  test('passphrases, spaces and non-Latin scripts are fine; no composition rules', () => {
    for (const p of [
      'correct staple violin orbit',
      'тихая гавань у моря',
      '静かな港に船が帰ってくる夜の海',
      'all lowercase words here ok',
    ]) {
      assert.equal(
        codeOf(() => checkPassword(p, policy, ctx)),
        'OK',
        p,
      );
    }
  });
  test('the common-password list finds every entry it was given and nothing else', () => {
    const text = readFileSync('src/domain/data/common-passwords.txt', 'utf8');
    const entries = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.ok(entries.length > 17_000, `${entries.length} entries`);
    for (const entry of entries) assert.ok(common.has(entry), entry);
    const known = new Set(entries);
    for (const entry of entries.slice(0, 2000)) {
      for (const near of [`${entry}x`, entry.slice(0, -1), ` ${entry}`, `${entry}\n${entry}`]) {
        assert.equal(common.has(near), known.has(near), near);
      }
    }
    const small = parseCommonPasswords('# comment\nzebra\napple\n\nmango \napple\n');
    assert.deepEqual(
      ['apple', 'mango', 'zebra', 'appl', 'zebras', '', '# comment', 'mango '].map((c) => small.has(c)),
      [true, true, true, false, false, false, false, false],
    );
  });
  test('common, breached and repetitive passwords are refused', () => {
    assert.equal(
      codeOf(() => checkPassword('1234567890qwerty', policy, ctx)),
      'PASSWORD_TOO_COMMON',
    );
    assert.equal(
      codeOf(() => checkPassword('passwordpassword!!', policy, ctx)),
      'PASSWORD_TOO_COMMON',
    );
    assert.equal(
      codeOf(() => checkPassword('aaaaaaaaaaaaaaaaaaaa', policy, ctx)),
      'PASSWORD_TOO_PREDICTABLE',
    );
    assert.equal(
      codeOf(() => checkPassword('abcabcabcabcabcabc', policy, ctx)),
      'PASSWORD_TOO_PREDICTABLE',
    );
  });
  test('passwords built on the service name, the email or the name are refused', () => {
    assert.equal(
      codeOf(() => checkPassword('Gatehouse2024!!!', policy, ctx)),
      'PASSWORD_TOO_PREDICTABLE',
    );
    assert.equal(
      codeOf(() => checkPassword('ada.lovelace1234', policy, ctx)),
      'PASSWORD_TOO_PREDICTABLE',
    );
    assert.equal(
      codeOf(() => checkPassword('adalovelace!2025', policy, ctx)),
      'PASSWORD_TOO_PREDICTABLE',
    );
    assert.equal(
      codeOf(() => checkPassword('my gatehouse has a blue door and a cat', policy, ctx)),
      'OK',
    );
  });
  test('a megabyte password fails fast', () => {
    const start = process.hrtime.bigint();
    assert.equal(
      codeOf(() => checkPassword('x'.repeat(1_000_000), policy, ctx)),
      'PASSWORD_TOO_LONG',
    );
    assert.ok(Number(process.hrtime.bigint() - start) / 1e6 < 50);
  });
});

describe('TOTP (RFC 6238 / RFC 4226)', () => {
  const rfcSecret = Buffer.from('12345678901234567890');
  test('HOTP matches the RFC 4226 test vectors', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    for (const [i, code] of expected.entries()) assert.equal(hotp(rfcSecret, i), code);
  });
  test('TOTP matches RFC 6238 SHA-1 vectors (last 6 digits)', () => {
    const b32 = base32Encode(rfcSecret);
    assert.deepEqual(base32Decode(b32), rfcSecret);
    assert.equal(totpAt(b32, 59_000), '287082');
    assert.equal(totpAt(b32, 1111111109_000), '081804');
    assert.equal(totpAt(b32, 1234567890_000), '005924');
    assert.equal(totpAt(b32, 2000000000_000), '279037');
  });
  test('accepts +-1 step, refuses +-2, and never a step at or before the last used', () => {
    const b32 = base32Encode(rfcSecret);
    const t = 1234567890_000;
    assert.notEqual(matchTotp(b32, totpAt(b32, t - 30_000), t, null), null);
    assert.notEqual(matchTotp(b32, totpAt(b32, t + 30_000), t, null), null);
    assert.equal(matchTotp(b32, totpAt(b32, t - 60_000), t, null), null);
    assert.equal(matchTotp(b32, totpAt(b32, t + 60_000), t, null), null);
    const step = matchTotp(b32, totpAt(b32, t), t, null);
    assert.equal(matchTotp(b32, totpAt(b32, t), t, step), null);
    assert.equal(matchTotp(b32, 'abcdef', t, null), null);
  });
});
