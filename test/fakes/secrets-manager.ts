/**
 * A fake AWS Secrets Manager (JSON 1.1 over real HTTP) for GetSecretValue, so the SDK's own
 * encoding, signing and error parsing are exercised: seeded secrets by name or ARN, Secrets
 * Manager's error shapes ({"__type": "...", "Message": "..."}, status 400), a signed request
 * required, every request recorded, and injected failures.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecret {
  readonly name: string;
  readonly secretString?: string;
  readonly secretBinary?: Buffer;
}

export async function startFakeSecretsManager(opts: { region?: string; secrets?: FakeSecret[] } = {}) {
  const region = opts.region ?? 'us-east-1';
  const secrets = new Map<string, FakeSecret & { arn: string }>();
  const requests: { operation: string; body: Record<string, unknown>; headers: IncomingHttpHeaders }[] = [];
  const failures: string[] = [];
  const put = (s: FakeSecret) => {
    const arn = `arn:aws:secretsmanager:${region}:123456789012:secret:${s.name}-${randomUUID().slice(0, 6)}`;
    const entry = { ...s, arn };
    secrets.set(s.name, entry);
    secrets.set(arn, entry);
    return arn;
  };
  for (const s of opts.secrets ?? []) put(s);

  const error = (type: string, message: string) => ({
    status: 400,
    body: { __type: type, Message: message },
  });
  const answer = (operation: string, body: Record<string, unknown>, headers: IncomingHttpHeaders) => {
    const injected = failures.shift();
    if (injected) return error(injected, 'Injected by the test.');
    if (!String(headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return error('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (operation !== 'GetSecretValue') return error('UnknownOperationException', operation);
    const found = secrets.get(String(body.SecretId));
    if (!found) return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return {
      status: 200,
      body: {
        ARN: found.arn,
        Name: found.name,
        VersionId: randomUUID(),
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Math.floor(Date.now() / 1000),
        ...(found.secretString !== undefined ? { SecretString: found.secretString } : {}),
        ...(found.secretBinary ? { SecretBinary: found.secretBinary.toString('base64') } : {}),
      },
    };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      requests.push({ operation, body, headers: req.headers });
      const out = answer(operation, body, req.headers);
      res
        .writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    requests,
    /** Adds or replaces a secret; returns its ARN. */
    put,
    /** The next answers fail with these error types, in order. */
    failNext: (...types: string[]) => failures.push(...types),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
