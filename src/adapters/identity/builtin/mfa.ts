/**
 * TOTP MFA of the built-in provider: enrolment (pending secret, then verify), the sign-in challenge
 * with its per-session attempt cap, single-use codes through a compare-and-set on the last accepted
 * step, and one-use recovery codes stored hashed. A refused code says why: wrong, a right code whose
 * step was used already (CODE_ALREADY_USED), or a recovery code spent before (RECOVERY_CODE_USED);
 * each counts toward the attempt cap all the same.
 */
import { AppError } from '../../../domain/errors.ts';
import { matchTotp, newTotpSecret } from '../../../domain/totp.ts';
import type { IdentityUser, MfaAnswer } from '../../../ports/identity.ts';
import { opaqueToken, recoveryCode, sha256 } from './codes.ts';
import { type Ctx, MAX_CODE_ATTEMPTS, MFA_SESSION_TTL, toIdentityUser, type UserRow } from './context.ts';

// `subjectId`: whose challenge it was, for the audit trail (ports/identity.ts).
const subject = (subjectId?: string) => (subjectId ? { subjectId } : {});
const wrongCode = (subjectId?: string) =>
  new AppError(
    'INVALID_CODE',
    'That code is not valid. Enter the current code from your app.',
    subject(subjectId),
  );
const usedCode = (subjectId?: string) =>
  new AppError(
    'CODE_ALREADY_USED',
    'That code has been used already. Wait for your app to show the next one, then enter it.',
    subject(subjectId),
  );
const usedRecovery = (subjectId?: string) =>
  new AppError(
    'RECOVERY_CODE_USED',
    'That recovery code has been used already. Each works once: try another.',
    subject(subjectId),
  );
const deadSession = (subjectId?: string) =>
  new AppError(
    'INVALID_MFA_SESSION',
    'This sign-in attempt has expired or had too many wrong codes. Sign in again.',
    { ...(subjectId ? { subjectId } : {}) },
  );

export function startChallenge(ctx: Ctx, userId: string, authTime: number): string {
  const session = opaqueToken();
  ctx.q.purgeMfaSessions.run(ctx.nowSec());
  ctx.q.insertMfaSession.run(sha256(session), userId, authTime, ctx.nowSec() + MFA_SESSION_TTL);
  return session;
}

/**
 * Accepts a TOTP code for the user at most once: the step must be newer than the last one used.
 * Null when accepted, else the error to give: a right code of a step already used, or a wrong one.
 */
function consumeTotp(ctx: Ctx, row: UserRow, code: string, secret = row.mfa_secret): AppError | null {
  if (!secret) return wrongCode(row.id);
  const last = ctx.q.userById.get(row.id)?.totp_last_step ?? null;
  const step = matchTotp(secret, code, ctx.now(), last);
  if (step !== null && ctx.q.claimTotpStep.run(step, row.id, step).changes === 1) return null;
  // Lost the race to a concurrent answer, or the code's step is spent: used, not wrong.
  const any = matchTotp(secret, code, ctx.now(), null);
  const spent = ctx.q.userById.get(row.id)?.totp_last_step ?? null;
  return any !== null && spent !== null && any <= spent ? usedCode(row.id) : wrongCode(row.id);
}

function consumeRecovery(ctx: Ctx, row: UserRow, code: string): AppError | null {
  const hash = sha256(code.trim().toLowerCase());
  if (ctx.q.useRecovery.run(ctx.nowSec(), row.id, hash).changes === 1) return null;
  return ctx.q.recoverySpent.get(row.id, hash) ? usedRecovery(row.id) : wrongCode(row.id);
}

function newRecoveryCodes(ctx: Ctx, userId: string): string[] {
  const codes = Array.from({ length: 10 }, recoveryCode);
  ctx.db.transaction(() => {
    ctx.q.deleteRecovery.run(userId);
    for (const c of codes) ctx.q.insertRecovery.run(userId, sha256(c));
  })();
  return codes;
}

export function answerChallenge(
  ctx: Ctx,
  session: string,
  answer: MfaAnswer,
): { user: IdentityUser; authTime: number } {
  const hash = sha256(session);
  const s = ctx.q.getMfaSession.get(hash);
  if (!s || s.expires_at <= ctx.nowSec() || s.attempts >= MAX_CODE_ATTEMPTS) {
    if (s) ctx.q.deleteMfaSession.run(hash);
    throw deadSession(s?.user_id);
  }
  const row = ctx.q.userById.get(s.user_id);
  if (row?.enabled !== 1) {
    ctx.q.deleteMfaSession.run(hash);
    throw deadSession(s.user_id);
  }
  const refused =
    'totp' in answer ? consumeTotp(ctx, row, answer.totp) : consumeRecovery(ctx, row, answer.recoveryCode);
  if (refused) {
    ctx.q.failMfaSession.run(hash);
    if (s.attempts + 1 >= MAX_CODE_ATTEMPTS) {
      ctx.q.deleteMfaSession.run(hash);
      throw deadSession(row.id);
    }
    throw refused;
  }
  // The session is single-use: a second answer, even a right one, starts from the password again.
  if (ctx.q.deleteMfaSession.run(hash).changes !== 1) throw deadSession(row.id);
  return { user: toIdentityUser(ctx, row), authTime: s.auth_time };
}

export function associate(ctx: Ctx, row: UserRow): { secret: string } {
  if (row.mfa_secret)
    throw new AppError('MFA_ALREADY_ENABLED', 'Two-step verification is already on. Turn it off first.');
  const secret = newTotpSecret();
  ctx.q.setPendingSecret.run(secret, new Date(ctx.now()).toISOString(), row.id);
  return { secret };
}

export function verify(ctx: Ctx, row: UserRow, code: string): { recoveryCodes: string[] } {
  if (row.mfa_secret) throw new AppError('MFA_ALREADY_ENABLED', 'Two-step verification is already on.');
  if (!row.mfa_pending_secret) throw new AppError('MFA_SETUP_REQUIRED', 'Start the setup first.');
  const step = matchTotp(row.mfa_pending_secret, code, ctx.now(), null);
  if (step === null) throw wrongCode();
  if (ctx.q.enableMfa.run(step, new Date(ctx.now()).toISOString(), row.id).changes !== 1) throw wrongCode();
  return { recoveryCodes: newRecoveryCodes(ctx, row.id) };
}

export function disable(ctx: Ctx, row: UserRow, code: string): void {
  if (!row.mfa_secret) throw new AppError('MFA_NOT_ENABLED', 'Two-step verification is not on.');
  const refused = consumeTotp(ctx, row, code);
  if (refused) throw refused;
  ctx.db.transaction(() => {
    ctx.q.disableMfa.run(new Date(ctx.now()).toISOString(), row.id);
    ctx.q.deleteRecovery.run(row.id);
  })();
}

export function regenerate(ctx: Ctx, row: UserRow, code: string): { recoveryCodes: string[] } {
  if (!row.mfa_secret) throw new AppError('MFA_NOT_ENABLED', 'Two-step verification is not on.');
  const refused = consumeTotp(ctx, row, code);
  if (refused) throw refused;
  return { recoveryCodes: newRecoveryCodes(ctx, row.id) };
}
