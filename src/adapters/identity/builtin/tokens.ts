/**
 * Token issuing and refresh of the built-in provider. Access and ID tokens are RS256 JWTs with
 * Cognito's claim names. Refresh tokens are opaque, stored hashed, and grouped in families: each
 * use spends the token and issues the next one of its family; presenting a spent token means it
 * was copied, so the whole family dies (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { AppError } from '../../../domain/errors.ts';
import type { IdentityUser, Tokens } from '../../../ports/identity.ts';
import { opaqueToken, sha256 } from './codes.ts';
import { type Ctx, toIdentityUser } from './context.ts';

interface FamilyRow {
  id: string;
  user_id: string;
  auth_time: number;
  expires_at: number;
  last_used_at: number;
  revoked_at: number | null;
}

export function tokenStatements(ctx: Ctx) {
  const { db } = ctx;
  return {
    insertFamily: db.prepare(
      'INSERT INTO refresh_families (id, user_id, auth_time, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertToken: db.prepare(
      'INSERT INTO refresh_tokens (token_hash, family_id, created_at) VALUES (?, ?, ?)',
    ),
    tokenByHash: db.prepare<[string], { family_id: string; used_at: number | null }>(
      'SELECT family_id, used_at FROM refresh_tokens WHERE token_hash = ?',
    ),
    family: db.prepare<[string], FamilyRow>('SELECT * FROM refresh_families WHERE id = ?'),
    spendToken: db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL'),
    touchFamily: db.prepare('UPDATE refresh_families SET last_used_at = ? WHERE id = ?'),
    revokeFamily: db.prepare(
      'UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),
    revokeUser: db.prepare(
      'UPDATE refresh_families SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
    ),
    purge: db.prepare('DELETE FROM refresh_families WHERE expires_at < ? OR revoked_at < ?'),
  };
}

export type TokenStatements = ReturnType<typeof tokenStatements>;

async function signTokens(
  ctx: Ctx,
  user: IdentityUser,
  authTime: number,
): Promise<{ idToken: string; accessToken: string }> {
  const { kid, key } = await ctx.keys.current();
  const iat = ctx.nowSec();
  const exp = iat + ctx.opts.accessTokenTtl;
  const originJti = randomUUID();
  // Both tokens of a sign-in: one key, one lifetime, and the claims that tie them together.
  const sign = (claims: JWTPayload) =>
    new SignJWT({ ...claims, 'cognito:groups': [...user.groups], auth_time: authTime, origin_jti: originJti })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(ctx.opts.issuer)
      .setSubject(user.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(key);
  const accessToken = await sign({
    token_use: 'access',
    client_id: ctx.opts.clientId,
    scope: 'aws.cognito.signin.user.admin',
    username: user.userId,
  });
  const idToken = await sign({
    token_use: 'id',
    aud: ctx.opts.clientId,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name ?? undefined,
    'cognito:username': user.userId,
  });
  return { idToken, accessToken };
}

/** Starts a new refresh family (a sign-in) and issues the first set of tokens. */
export async function issueNewTokens(
  ctx: Ctx,
  ts: TokenStatements,
  user: IdentityUser,
  authTime: number,
): Promise<Tokens> {
  const signed = await signTokens(ctx, user, authTime);
  const now = ctx.nowSec();
  const familyId = randomUUID();
  const refreshToken = opaqueToken();
  ctx.db.transaction(() => {
    ts.insertFamily.run(familyId, user.userId, authTime, now, now + ctx.opts.refreshTokenTtl, now);
    ts.insertToken.run(sha256(refreshToken), familyId, now);
  })();
  return { ...signed, refreshToken, expiresIn: ctx.opts.accessTokenTtl, tokenType: 'Bearer' };
}

const invalid = () =>
  new AppError('INVALID_TOKEN', 'The refresh token is invalid or has expired. Sign in again.');

export async function refreshTokens(ctx: Ctx, ts: TokenStatements, refreshToken: string): Promise<Tokens> {
  const now = ctx.nowSec();
  const hash = sha256(refreshToken);
  // Decide and spend in one synchronous transaction: two concurrent refreshes cannot both win.
  const outcome = ctx.db.transaction((): { family: FamilyRow; next: string } | 'invalid' => {
    const token = ts.tokenByHash.get(hash);
    if (!token) return 'invalid';
    const family = ts.family.get(token.family_id);
    if (!family || family.revoked_at !== null) return 'invalid';
    if (token.used_at !== null || ts.spendToken.run(now, hash).changes !== 1) {
      ts.revokeFamily.run(now, family.id); // reuse of a spent token: assume theft
      return 'invalid';
    }
    if (family.expires_at <= now || family.last_used_at + ctx.opts.refreshIdleTtl <= now) {
      ts.revokeFamily.run(now, family.id);
      return 'invalid';
    }
    const next = opaqueToken();
    ts.insertToken.run(sha256(next), family.id, now);
    ts.touchFamily.run(now, family.id);
    return { family, next };
  })();
  if (outcome === 'invalid') throw invalid();
  const row = ctx.q.userById.get(outcome.family.user_id);
  if (row?.enabled !== 1 || row.status !== 'CONFIRMED') {
    ts.revokeFamily.run(now, outcome.family.id);
    throw invalid();
  }
  const signed = await signTokens(ctx, toIdentityUser(ctx, row), outcome.family.auth_time);
  return { ...signed, refreshToken: outcome.next, expiresIn: ctx.opts.accessTokenTtl, tokenType: 'Bearer' };
}

export function revokeRefreshToken(ctx: Ctx, ts: TokenStatements, refreshToken: string): void {
  const token = ts.tokenByHash.get(sha256(refreshToken));
  if (token) ts.revokeFamily.run(ctx.nowSec(), token.family_id);
}
