/**
 * TOTP MFA of the built-in provider: enrolment (pending secret, then verify), the sign-in challenge
 * with its per-session attempt cap, single-use codes through a compare-and-set on the last accepted
 * step, and one-use recovery codes stored hashed.
 */
import { AppError } from '../../../domain/errors.ts';
import { matchTotp, newTotpSecret } from '../../../domain/totp.ts';
import type { IdentityUser, MfaAnswer } from '../../../ports/identity.ts';
import { opaqueToken, recoveryCode, sha256 } from './codes.ts';
import { type Ctx, MAX_CODE_ATTEMPTS, MFA_SESSION_TTL, toIdentityUser, type UserRow } from './context.ts';

// `subjectId`: whose challenge it was, for the audit trail (ports/identity.ts).
const wrongCode = (subjectId?: string) =>
  new AppError('INVALID_CODE', 'That code is not valid. Enter the current code from your app.', {
    ...(subjectId ? { subjectId } : {}),
  });
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

/** Accepts a TOTP code for the user at most once: the step must be newer than the last one used. */
export function consumeTotp(
  ctx: Ctx,
  row: UserRow,
  code: string,
  secret: string | null = row.mfa_secret,
): boolean {
  if (!secret) return false;
  const fresh = ctx.q.userById.get(row.id);
  const step = matchTotp(secret, code, ctx.now(), fresh?.totp_last_step ?? null);
  if (step === null) return false;
  return ctx.q.claimTotpStep.run(step, row.id, step).changes === 1;
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
  const ok =
    'totp' in answer
      ? consumeTotp(ctx, row, answer.totp)
      : ctx.q.useRecovery.run(ctx.nowSec(), row.id, sha256(answer.recoveryCode.trim().toLowerCase()))
          .changes === 1;
  if (!ok) {
    ctx.q.failMfaSession.run(hash);
    if (s.attempts + 1 >= MAX_CODE_ATTEMPTS) {
      ctx.q.deleteMfaSession.run(hash);
      throw deadSession(row.id);
    }
    throw wrongCode(row.id);
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
  if (!consumeTotp(ctx, row, code)) throw wrongCode();
  ctx.db.transaction(() => {
    ctx.q.disableMfa.run(new Date(ctx.now()).toISOString(), row.id);
    ctx.q.deleteRecovery.run(row.id);
  })();
}

export function regenerate(ctx: Ctx, row: UserRow, code: string): { recoveryCodes: string[] } {
  if (!row.mfa_secret) throw new AppError('MFA_NOT_ENABLED', 'Two-step verification is not on.');
  if (!consumeTotp(ctx, row, code)) throw wrongCode();
  return { recoveryCodes: newRecoveryCodes(ctx, row.id) };
}
