/**
 * The proxy in front of cognito-local (test/helpers/cognito-local.ts starts both): it records every
 * call and makes the pool behave as Cognito documents where cognito-local does not, so that tests
 * run in Cognito mode show Gatehouse's behaviour against Cognito's, not against the stand-in's
 * shortcuts. Everything else passes through untouched.
 *
 * - Operations cognito-local lacks (AdminUserGlobalSignOut, AdminLinkProviderForUser,
 *   AdminDisableProviderForUser) get Cognito's empty success, or the Cognito error a test queued
 *   with `failNext` (Cognito's JSON error shape, so the SDK raises it as it would).
 * - Global sign-out revokes: a REFRESH_TOKEN_AUTH with a refresh token issued before the user's
 *   last AdminUserGlobalSignOut is refused with NotAuthorizedException, as Cognito does.
 * - Refreshed tokens keep the sign-in's `auth_time`: Cognito stamps tokens got with a refresh token
 *   with the time of the authentication that issued it (cognito-local stamps the refresh's own
 *   time); the proxy puts the sign-in's value back and re-signs with cognito-local's own key.
 * - A TOTP code is accepted once per user: a second RespondToAuthChallenge (or VerifySoftwareToken)
 *   with a code already accepted for that user, while it could still be valid (90 s: Cognito takes
 *   a code a step either side), is refused with ExpiredCodeException ("Your software token has
 *   already been used once."); two concurrent answers with one code: the first one claims it.
 * - AdminGetUser answers for a sub named with `external` carry UserStatus EXTERNAL_PROVIDER (a
 *   password-less user, as a Hosted UI sign-in makes; cognito-local cannot make one).
 */
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';

/** The operations cognito-local lacks, which the proxy answers itself. */
export const STUBBED = [
  'AdminUserGlobalSignOut',
  'AdminLinkProviderForUser',
  'AdminDisableProviderForUser',
] as const;
export type StubbedOperation = (typeof STUBBED)[number];

export interface PoolProxy {
  readonly server: Server;
  readonly calls: { operation: string; body: Record<string, unknown> }[];
  readonly globalSignOuts: string[];
  failNext(operation: StubbedOperation, type: string, message: string): void;
  external(sub: string): void;
}

/** How long Cognito could still take a TOTP code after accepting it (a 30 s step either side). */
const CODE_LIFETIME_MS = 90_000;
const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

type Json = Record<string, unknown>;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (jwt: string): [Json, Json] => {
  const [header, payload] = jwt.split('.');
  return [
    JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Json,
    JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Json,
  ];
};

/** cognito-local signs every token with this key, which ships in its package. */
const signingKey = (): string => {
  const file = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { pem: string }).pem;
};

/** The same token with `auth_time` set, signed again with cognito-local's key and header. */
function withAuthTime(jwt: string, authTime: number, pem: string): string {
  const [header, payload] = parts(jwt);
  const input = `${b64(header)}.${b64({ ...payload, auth_time: authTime })}`;
  const signature = createSign('RSA-SHA256').update(input).sign(pem).toString('base64url');
  return `${input}.${signature}`;
}

const refuse = (res: ServerResponse, type: string, message: string) =>
  res.writeHead(400, JSON_TYPE).end(JSON.stringify({ __type: type, message }));

const sendJson = (res: ServerResponse, status: number, headers: IncomingMessage['headers'], body: Json) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) }).end(text);
};

export function createPoolProxy(upstream: string): PoolProxy {
  const pem = signingKey();
  const calls: PoolProxy['calls'] = [];
  const globalSignOuts: string[] = [];
  const failures = new Map<string, { type: string; message: string }[]>();
  const externals = new Set<string>();
  /** Refresh tokens the pool issued at a sign-in: whose, that sign-in's auth_time, and when. */
  const refreshTokens = new Map<string, { username: string; authTime: number; issuedAt: number }>();
  /** Per user, when their last global sign-out was. */
  const signedOutAt = new Map<string, number>();
  /** `<username>:<code>` -> until when the code counts as used. */
  const usedCodes = new Map<string, number>();

  /** Forwards the call; `answered` gets the parsed 200 answer to pass on (or change) when given. */
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    answered?: (status: number, out: Json) => Json,
  ) => {
    const out = httpRequest(
      `${upstream}${req.url ?? '/'}`,
      { method: req.method, headers: { ...req.headers, 'content-length': String(body.length) } },
      (answer) => {
        if (!answered) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const status = answer.statusCode ?? 502;
          const raw = Buffer.concat(chunks);
          let parsed: Json;
          try {
            parsed = JSON.parse(raw.toString('utf8')) as Json;
          } catch {
            // Not JSON: passed on as it came.
            res.writeHead(status, answer.headers).end(raw);
            return;
          }
          sendJson(res, status, answer.headers, answered(status, parsed));
        });
      },
    );
    out.on('error', () => res.writeHead(502).end());
    out.end(body);
  };

  /** Remembers the refresh token of a sign-in's answer, with its auth_time. */
  const remember = (out: Json) => {
    const result = out.AuthenticationResult as Json | undefined;
    const refreshToken = result?.RefreshToken;
    const access = result?.AccessToken;
    if (typeof refreshToken !== 'string' || typeof access !== 'string') return;
    const claims = parts(access)[1];
    refreshTokens.set(refreshToken, {
      username: String(claims.username ?? claims.sub),
      authTime: Number(claims.auth_time),
      issuedAt: Date.now(),
    });
  };

  /** Claims a TOTP code for a user; false when it was accepted already and may still be valid. */
  const claimCode = (username: string, code: string): string | null => {
    const key = `${username}:${code}`;
    const now = Date.now();
    for (const [k, until] of usedCodes) if (until <= now) usedCodes.delete(k);
    if (usedCodes.has(key)) return null;
    usedCodes.set(key, now + CODE_LIFETIME_MS);
    return key;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer, call: Json) => {
    const operation = String(req.headers['x-amz-target']).split('.').pop() ?? '';
    if ((STUBBED as readonly string[]).includes(operation)) {
      const failure = failures.get(operation)?.shift();
      if (failure) return refuse(res, failure.type, failure.message);
      if (operation === 'AdminUserGlobalSignOut') {
        const username = String(call.Username);
        globalSignOuts.push(username);
        signedOutAt.set(username, Date.now());
      }
      return res.writeHead(200, JSON_TYPE).end('{}');
    }
    const params = (call.AuthParameters ?? {}) as Json;
    if (operation === 'InitiateAuth' && String(call.AuthFlow).startsWith('REFRESH_TOKEN')) {
      const issued = refreshTokens.get(String(params.REFRESH_TOKEN));
      const signOut = issued ? signedOutAt.get(issued.username) : undefined;
      if (issued && signOut !== undefined && issued.issuedAt <= signOut) {
        return refuse(res, 'NotAuthorizedException', 'Refresh Token has been revoked');
      }
      return forward(req, res, body, (status, out) => {
        const result = out.AuthenticationResult as Json | undefined;
        if (status !== 200 || !issued || !result) return out;
        const keep = (t: unknown) => (typeof t === 'string' ? withAuthTime(t, issued.authTime, pem) : t);
        return {
          ...out,
          AuthenticationResult: {
            ...result,
            AccessToken: keep(result.AccessToken),
            IdToken: keep(result.IdToken),
          },
        };
      });
    }
    const totp =
      operation === 'RespondToAuthChallenge' && call.ChallengeName === 'SOFTWARE_TOKEN_MFA'
        ? {
            username: String((call.ChallengeResponses as Json | undefined)?.USERNAME),
            code: String((call.ChallengeResponses as Json | undefined)?.SOFTWARE_TOKEN_MFA_CODE),
          }
        : operation === 'VerifySoftwareToken' && typeof call.AccessToken === 'string'
          ? { username: String(parts(call.AccessToken)[1].username), code: String(call.UserCode) }
          : null;
    if (totp) {
      const claimed = claimCode(totp.username, totp.code);
      if (!claimed) {
        return refuse(res, 'ExpiredCodeException', 'Your software token has already been used once.');
      }
      return forward(req, res, body, (status, out) => {
        if (status !== 200 || (operation === 'VerifySoftwareToken' && out.Status !== 'SUCCESS')) {
          usedCodes.delete(claimed);
        } else remember(out);
        return out;
      });
    }
    if (operation === 'InitiateAuth' || operation === 'AdminInitiateAuth') {
      return forward(req, res, body, (status, out) => {
        if (status === 200) remember(out);
        return out;
      });
    }
    if (operation === 'AdminGetUser') {
      return forward(req, res, body, (status, out) => {
        const sub = (out.UserAttributes as { Name: string; Value: string }[] | undefined)?.find(
          (a) => a.Name === 'sub',
        )?.Value;
        return status === 200 && sub && externals.has(sub)
          ? { ...out, UserStatus: 'EXTERNAL_PROVIDER' }
          : out;
      });
    }
    return forward(req, res, body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target']).split('.').pop() ?? '';
      let call: Json = {};
      try {
        call = JSON.parse(body.toString('utf8')) as Json;
      } catch {
        // A non-JSON request (the JWKS, a health check) is recorded with an empty body.
      }
      calls.push({ operation, body: call });
      handle(req, res, body, call);
    });
  });

  return {
    server,
    calls,
    globalSignOuts,
    failNext(operation, type, message) {
      failures.set(operation, [...(failures.get(operation) ?? []), { type, message }]);
    },
    external(sub) {
      externals.add(sub);
    },
  };
}
