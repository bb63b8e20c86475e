/**
 * The built-in identity provider: Cognito's user-pool operations on a local SQLite file, so
 * `npm start` needs no cloud account. It keeps the port's promises (ports/identity.ts): unknown
 * users and wrong passwords look and time the same, codes are single-use, hashed, purpose-bound
 * and die after 5 wrong guesses, TOTP codes are single-use, refresh tokens rotate with reuse
 * detection, and every operation that ends sessions ends every refresh family of the user.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../domain/errors.ts';
import { confirmationMail, resetMail } from '../../../domain/messages.ts';
import type {
  AuthResult,
  IdentityProvider,
  IdentityUser,
  MailLinks,
  SignUpOutcome,
} from '../../../ports/identity.ts';
import type { Passkeys } from '../../../ports/passkeys.ts';
import { openSqlite } from '../../shared/sqlite.ts';
import { translateStorageFailures } from '../../shared/sqlite-errors.ts';
import { codeHash, sixDigits } from './codes.ts';
import {
  type BuiltinIdentityOptions,
  CONFIRM_CODE_TTL,
  type Ctx,
  lazyDummyHash,
  MAX_CODE_ATTEMPTS,
  prepare,
  RESET_CODE_TTL,
  toIdentityUser,
  type UserRow,
} from './context.ts';
import { createEmailChange } from './email-change.ts';
import * as mfa from './mfa.ts';
import { createBuiltinPasskeys } from './passkeys.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { IDENTITY_MIGRATIONS } from './schema.ts';
import { createSigningKeys } from './signing-keys.ts';
import { issueNewTokens, refreshTokens, revokeRefreshToken, tokenStatements } from './tokens.ts';

export type { BuiltinIdentityOptions } from './context.ts';

export interface BuiltinIdentity extends IdentityProvider {
  /** Adds a new signing key; the previous one keeps verifying until its tokens expire. */
  rotateKeys(): Promise<{ kid: string; retired: string[]; deleted: string[] }>;
  /** Passkeys of these users, in the same database (ports/passkeys.ts). */
  readonly passkeys: Passkeys;
}

const badCredentials = () => new AppError('INVALID_CREDENTIALS', 'Incorrect email or password.');
const notAvailable = (what: string) =>
  new AppError('NOT_AVAILABLE_IN_MODE', `${what} is not available with the built-in identity provider.`);
const badCode = () =>
  new AppError('INVALID_CODE', 'That code is not valid or has expired. Ask for a new one.');

export function createBuiltinIdentity(opts: BuiltinIdentityOptions): BuiltinIdentity {
  const db = openSqlite(opts.file, IDENTITY_MIGRATIONS);
  const clock = opts.clock ?? Date.now;
  const ctx: Ctx = {
    db,
    q: prepare(db),
    opts,
    // Retired keys stay published for the longest lifetime of a token they signed, plus a minute.
    keys: createSigningKeys(db, opts.accessTokenTtl + 60, clock),
    now: clock,
    nowSec: () => Math.floor(clock() / 1000),
    dummyHash: lazyDummyHash(opts.hashCost),
  };
  const { q } = ctx;
  const ts = tokenStatements(ctx);
  const iso = () => new Date(clock()).toISOString();
  const send = (message: Parameters<typeof opts.mail.send>[0]) => opts.mail.send(message);
  const emailChange = createEmailChange(ctx);

  const issueCode = async (row: UserRow, purpose: 'confirm' | 'reset', links?: MailLinks): Promise<void> => {
    const code = sixDigits();
    const ttl = purpose === 'confirm' ? CONFIRM_CODE_TTL : RESET_CODE_TTL;
    q.setCode.run(row.id, purpose, codeHash(row.id, purpose, code), ctx.nowSec() + ttl);
    const context = links?.linkOrigin
      ? { ...opts.mailContext, appOrigin: links.linkOrigin }
      : opts.mailContext;
    await send(
      purpose === 'confirm'
        ? confirmationMail(context, row.email, code)
        : resetMail(context, row.email, code),
    );
  };

  /** Checks and spends a code. Wrong guesses count; the fifth voids the code. */
  /** The row when its live code for `purpose` is `code`; a wrong guess counts toward voiding it. */
  const checkCode = (row: UserRow | undefined, purpose: 'confirm' | 'reset', code: string): UserRow => {
    if (!row) throw badCode();
    const stored = q.getCode.get(row.id, purpose);
    if (!stored || stored.expires_at <= ctx.nowSec() || stored.attempts >= MAX_CODE_ATTEMPTS) throw badCode();
    if (stored.code_hash !== codeHash(row.id, purpose, code)) {
      q.failCode.run(row.id, purpose);
      if (stored.attempts + 1 >= MAX_CODE_ATTEMPTS) q.deleteCode.run(row.id, purpose);
      throw badCode();
    }
    return row;
  };
  const spendCode = (row: UserRow | undefined, purpose: 'confirm' | 'reset', code: string): UserRow => {
    const checked = checkCode(row, purpose, code);
    if (q.deleteCode.run(checked.id, purpose).changes !== 1) throw badCode();
    return checked;
  };

  const mustGet = (userId: string): UserRow => {
    const row = q.userById.get(userId);
    if (!row) throw new AppError('NOT_FOUND', 'No such user.');
    return row;
  };

  const assertMaySignIn = (row: UserRow): void => {
    if (row.status !== 'CONFIRMED') {
      throw new AppError(
        'USER_NOT_CONFIRMED',
        'Confirm your email address first: enter the code we sent you.',
      );
    }
    if (row.enabled !== 1) throw new AppError('USER_DISABLED', 'This account has been disabled.');
  };

  /** The rest of a sign-in once the person is known: account state, then MFA or tokens. */
  const signInVerified = async (row: UserRow): Promise<AuthResult> => {
    assertMaySignIn(row);
    const authTime = ctx.nowSec();
    if (row.mfa_secret)
      return {
        kind: 'challenge',
        challenge: 'SOFTWARE_TOKEN_MFA',
        session: mfa.startChallenge(ctx, row.id, authTime),
      };
    const user = toIdentityUser(ctx, row);
    return { kind: 'tokens', tokens: await issueNewTokens(ctx, ts, user, authTime), user };
  };

  const endAllSessions = (userId: string) => {
    ts.revokeUser.run(ctx.nowSec(), userId);
    q.deleteMfaSessionsOf.run(userId);
  };

  // A full disk (sign-up, sign-in and refresh all write) is STORAGE_FULL, never a bare SQLite error.
  return translateStorageFailures<BuiltinIdentity>({
    mode: 'builtin',
    issuer: opts.issuer,
    clientId: opts.clientId,
    getJwks: () => ctx.keys.jwks(),
    verificationKey: ctx.keys.verificationKey,
    rotateKeys: () => ctx.keys.rotate(),
    passkeys: createBuiltinPasskeys(ctx, {
      assertMaySignIn,
      issueTokens: (user, authTime) => issueNewTokens(ctx, ts, user, authTime),
      toUser: (row) => toIdentityUser(ctx, row),
    }),

    async signUp({ email, password, name }, links): Promise<SignUpOutcome> {
      // Hash first in every branch so a taken email answers in the same time as a free one.
      const hash = await hashPassword(password, opts.hashCost);
      const id = randomUUID();
      // Nobody has proved control of the address through an unconfirmed registration (it may be
      // someone else's pre-registration, or one a crash left without its mail), so a new sign-up
      // takes its place: its row goes, and with it (ON DELETE CASCADE) every code sent for it,
      // since codes are bound to the user id. One transaction, so no confirmation falls between.
      const outcome = db.transaction((): SignUpOutcome => {
        const existing = q.userByEmail.get(email);
        if (existing && (existing.status !== 'UNCONFIRMED' || existing.enabled !== 1)) {
          return { outcome: 'exists' };
        }
        if (existing) q.deleteUser.run(existing.id);
        q.insertUser.run({ id, email, name: name ?? null, password_hash: hash, now: iso() });
        return existing ? { outcome: 'replaced', replacedUserId: existing.id } : { outcome: 'created' };
      })();
      if (outcome.outcome !== 'exists') await issueCode(mustGet(id), 'confirm', links);
      return outcome;
    },

    async confirmSignUp(email, code) {
      const row = q.userByEmail.get(email);
      if (row?.status !== 'UNCONFIRMED') throw badCode();
      spendCode(row, 'confirm', code);
      q.confirmUser.run(iso(), row.id);
      return toIdentityUser(ctx, mustGet(row.id));
    },

    async resendConfirmationCode(email, links) {
      const row = q.userByEmail.get(email);
      if (row?.status === 'UNCONFIRMED') await issueCode(row, 'confirm', links);
    },

    async initiateAuth(email, password): Promise<AuthResult> {
      const row = q.userByEmail.get(email);
      // A social-only user has no hash: the dummy one keeps the timing of a wrong password.
      const ok = await verifyPassword(password, row?.password_hash || (await ctx.dummyHash()));
      if (!row || !ok || row.password_hash === '') throw badCredentials();
      return signInVerified(row);
    },

    async createFederatedUser({ email, name }) {
      if (q.userByEmail.get(email)) return { outcome: 'exists' };
      const id = randomUUID();
      try {
        q.insertFederatedUser.run({ id, email, name: name ?? null, now: iso() });
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return { outcome: 'exists' };
        throw err;
      }
      return { outcome: 'created', user: toIdentityUser(ctx, mustGet(id)) };
    },

    async federatedSignIn(userId) {
      const row = q.userById.get(userId);
      if (!row) throw badCredentials();
      return signInVerified(row);
    },

    async respondToMfaChallenge(session, answer) {
      const { user, authTime } = mfa.answerChallenge(ctx, session, answer);
      return { tokens: await issueNewTokens(ctx, ts, user, authTime), user };
    },

    refresh: (token) => refreshTokens(ctx, ts, token),
    async revokeRefreshToken(token) {
      revokeRefreshToken(ctx, ts, token);
    },
    async globalSignOut(userId) {
      endAllSessions(userId);
    },

    async forgotPassword(email, links) {
      const row = q.userByEmail.get(email);
      if (row?.status === 'CONFIRMED' && row.enabled === 1) await issueCode(row, 'reset', links);
    },

    async confirmForgotPassword(email, code, newPassword): Promise<IdentityUser> {
      // Only a holder of the right code learns whether the new password is the current one; the
      // code then stays valid for a second try.
      const checked = checkCode(q.userByEmail.get(email), 'reset', code);
      if (checked.password_hash && (await verifyPassword(newPassword, checked.password_hash))) {
        throw new AppError('PASSWORD_REUSED', 'That is your current password. Choose a new one.');
      }
      const hash = await hashPassword(newPassword, opts.hashCost);
      const row = spendCode(q.userByEmail.get(email), 'reset', code);
      db.transaction(() => {
        q.setPassword.run(hash, iso(), row.id);
        endAllSessions(row.id);
      })();
      return toIdentityUser(ctx, mustGet(row.id));
    },

    async changePassword(userId, currentPassword, newPassword) {
      const row = mustGet(userId);
      if (!(await verifyPassword(currentPassword, row.password_hash))) {
        throw new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
      }
      q.setPassword.run(await hashPassword(newPassword, opts.hashCost), iso(), userId);
    },

    verifyPassword: (userId, password) => emailChange.verifyPassword(userId, password),
    startEmailChange: (userId, newEmail, _caller, links) =>
      emailChange.startEmailChange(userId, newEmail, links),
    confirmEmailChange: (userId, code) => emailChange.confirmEmailChange(userId, code),

    async associateSoftwareToken(userId) {
      return mfa.associate(ctx, mustGet(userId));
    },
    async verifySoftwareToken(userId, code) {
      return mfa.verify(ctx, mustGet(userId), code);
    },
    async disableSoftwareToken(userId, code) {
      mfa.disable(ctx, mustGet(userId), code);
    },
    async regenerateRecoveryCodes(userId, code) {
      return mfa.regenerate(ctx, mustGet(userId), code);
    },

    async adminGetUser(userId) {
      const row = q.userById.get(userId);
      return row ? toIdentityUser(ctx, row) : null;
    },
    async adminGetUserByEmail(email) {
      const row = q.userByEmail.get(email);
      return row ? toIdentityUser(ctx, row) : null;
    },
    async adminDisableUser(userId) {
      mustGet(userId);
      db.transaction(() => {
        q.setEnabled.run(0, iso(), userId);
        endAllSessions(userId);
      })();
    },
    async adminEnableUser(userId) {
      mustGet(userId);
      q.setEnabled.run(1, iso(), userId);
    },
    async adminDeleteUser(userId) {
      q.deleteUser.run(userId);
    },
    async adminAddUserToGroup(userId, group) {
      mustGet(userId);
      q.addGroup.run(userId, group);
    },
    async adminRemoveUserFromGroup(userId, group) {
      q.removeGroup.run(userId, group);
    },
    // Built-in identity keeps no provider links: they are Gatehouse's own (services/linking.ts).
    async adminLinkProviderForUser() {
      throw notAvailable('Linking a provider identity in the identity provider');
    },
    async adminDisableProviderForUser() {
      throw notAvailable('Unlinking a provider identity in the identity provider');
    },

    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      db.close();
    },
  });
}
