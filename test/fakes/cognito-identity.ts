/**
 * A fake Cognito identity-pool API (AWSCognitoIdentityService, JSON 1.1 over real HTTP) for the two
 * operations of developer-authenticated identities, so the SDK's own encoding, signing and error
 * parsing are exercised:
 * - GetOpenIdTokenForDeveloperIdentity: needs a signed request, the configured pool and developer
 *   provider; the same login always maps to the same identity id, and the answer is a fresh token;
 * - GetCredentialsForIdentity: only with a token this fake issued for that very identity.
 * Errors have Cognito's shapes ({"__type": "...", "message": "..."}, status 400). Every request is
 * recorded; tests can make the next answers fail.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedIdentityRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

export async function startFakeCognitoIdentity(opts: {
  region: string;
  identityPoolId: string;
  developerProvider: string;
}) {
  const requests: RecordedIdentityRequest[] = [];
  const identities = new Map<string, string>(); // developer login -> identity id
  const tokens = new Map<string, string>(); // token -> identity id
  const failures: string[] = [];

  const fail = (type: string, message: string) => ({ status: 400, body: { __type: type, message } });
  const handle = (operation: string, body: Record<string, unknown>, headers: IncomingHttpHeaders) => {
    const injected = failures.shift();
    if (injected) return fail(injected, 'Injected by the test.');
    if (operation === 'GetOpenIdTokenForDeveloperIdentity') {
      if (!String(headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        return fail('NotAuthorizedException', 'Missing authentication token.');
      }
      if (body.IdentityPoolId !== opts.identityPoolId) {
        return fail('ResourceNotFoundException', `IdentityPool '${String(body.IdentityPoolId)}' not found.`);
      }
      const logins = (body.Logins ?? {}) as Record<string, unknown>;
      const names = Object.keys(logins);
      const login = logins[opts.developerProvider];
      if (names.length !== 1 || typeof login !== 'string' || login.length === 0) {
        return fail('NotAuthorizedException', 'Invalid login token. Developer provider name mismatch.');
      }
      let identityId = identities.get(login);
      if (!identityId) {
        identityId = `${opts.region}:${randomUUID()}`;
        identities.set(login, identityId);
      }
      const token = `fake-openid.${randomBytes(24).toString('base64url')}`;
      tokens.set(token, identityId);
      return { status: 200, body: { IdentityId: identityId, Token: token } };
    }
    if (operation === 'GetCredentialsForIdentity') {
      const token = ((body.Logins ?? {}) as Record<string, unknown>)['cognito-identity.amazonaws.com'];
      if (typeof token !== 'string' || tokens.get(token) !== body.IdentityId) {
        return fail('NotAuthorizedException', 'Invalid login token.');
      }
      return {
        status: 200,
        body: {
          IdentityId: body.IdentityId,
          Credentials: {
            AccessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
            SecretKey: randomBytes(30).toString('base64'),
            SessionToken: randomBytes(64).toString('base64'),
            Expiration: Math.floor(Date.now() / 1000) + 3600,
          },
        },
      };
    }
    return fail('UnknownOperationException', `Unknown operation ${operation}`);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSCognitoIdentityService\./, '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      requests.push({ operation, body, headers: req.headers });
      const out = handle(operation, body, req.headers);
      res
        .writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    /** The next answers fail with these Cognito error types, in order. */
    failNext: (...types: string[]) => failures.push(...types),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
