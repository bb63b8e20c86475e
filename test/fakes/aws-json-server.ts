/**
 * The HTTP half of every fake AWS JSON 1.1 service (Secrets Manager, the Cognito identity pool):
 * the operation from `x-amz-target`, the JSON body, every request recorded, injected failures
 * answered first, errors in AWS's shape ({"__type": ..., "<messageKey>": ...}, status 400). The
 * fake itself only says how each operation answers, so the AWS SDK's own encoding, signing and
 * error parsing are exercised over real HTTP.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsJsonRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
}

export interface AwsJsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AwsJsonServer {
  readonly endpoint: string;
  readonly requests: AwsJsonRequest[];
  /** The next answers fail with these error types, in order. */
  failNext(...types: string[]): void;
  close(): Promise<void>;
}

export async function startAwsJsonServer(opts: {
  /** The service's target prefix: `secretsmanager`, `AWSCognitoIdentityService`. */
  readonly targetPrefix: string;
  /** How the service names its error message member: `Message` or `message`. */
  readonly messageKey: 'Message' | 'message';
  readonly answer: (
    request: AwsJsonRequest,
    error: (type: string, message: string) => AwsJsonAnswer,
  ) => AwsJsonAnswer;
}): Promise<AwsJsonServer> {
  const requests: AwsJsonRequest[] = [];
  const failures: string[] = [];
  const error = (type: string, message: string): AwsJsonAnswer => ({
    status: 400,
    body: { __type: type, [opts.messageKey]: message },
  });
  const prefix = `${opts.targetPrefix}.`;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(prefix) ? target.slice(prefix.length) : target;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      const request = { operation, body, headers: req.headers };
      requests.push(request);
      const injected = failures.shift();
      const out = injected ? error(injected, 'Injected by the test.') : opts.answer(request, error);
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
    failNext: (...types) => void failures.push(...types),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** True when the request carries a SigV4 signature, as every SDK call does. */
export const isSigned = (headers: IncomingHttpHeaders) =>
  String(headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
