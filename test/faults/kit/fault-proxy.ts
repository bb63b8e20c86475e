/**
 * A fault-injecting HTTP proxy in front of an AWS stand-in (DynamoDB Local, cognito-local,
 * s3rver). At set rates it answers as the real service does when it throttles or fails, in that
 * service's own wire format, or never answers; everything else passes through untouched:
 *
 * - throttle: DynamoDB's ProvisionedThroughputExceededException or ThrottlingException (400,
 *   JSON 1.0), Cognito's TooManyRequestsException, or LimitExceededException where it cannot mean
 *   "too many wrong codes" (400, JSON 1.1), S3's SlowDown (503, XML).
 * - error: DynamoDB's InternalServerError (500), Cognito's InternalErrorException (500), S3's
 *   InternalError (500) or ServiceUnavailable (503).
 * - hangBefore: the call never reaches the service and no answer ever comes.
 * - hangAfter (DynamoDB and S3): the call is applied, and its answer is lost: the case where a
 *   client cannot know whether its write happened. Not for Cognito, whose ConfirmSignUp is not
 *   idempotent (a retried confirmation of a confirmed user is refused), which no client can mend.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Service = 'dynamodb' | 'cognito' | 's3';
export interface FaultRates {
  readonly throttle: number;
  readonly error: number;
  readonly hangBefore: number;
  readonly hangAfter: number;
}
export const NO_FAULTS: FaultRates = { throttle: 0, error: 0, hangBefore: 0, hangAfter: 0 };

export interface FaultProxy {
  readonly endpoint: string;
  /** How many calls got each fault, and how many passed ("ok"). */
  readonly stats: Record<'ok' | keyof FaultRates, number>;
  setRates(rates: FaultRates): void;
  /** The next calls get these faults, in this order, before the rates decide again. */
  queue(...faults: (keyof FaultRates)[]): void;
  /** The next call of this operation (X-Amz-Target's, e.g. CreateTable) gets this fault. */
  failNext(operation: string, fault: keyof FaultRates): void;
  close(): Promise<void>;
}

const CODE_OPERATIONS = [
  'ConfirmSignUp',
  'ConfirmForgotPassword',
  'ForgotPassword',
  'ResendConfirmationCode',
];

function jsonError(
  res: ServerResponse,
  status: number,
  version: '1.0' | '1.1',
  type: string,
  message: string,
) {
  res
    .writeHead(status, {
      'content-type': `application/x-amz-json-${version}`,
      'x-amzn-requestid': randomUUID(),
    })
    .end(JSON.stringify({ __type: type, message }));
}

function xmlError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) {
  const id = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const headers = { 'content-type': 'application/xml', 'x-amz-request-id': id };
  // A HEAD answer has no body, so the SDK reads the error from the status alone.
  if (req.method === 'HEAD') {
    res.writeHead(status, headers).end();
    return;
  }
  res
    .writeHead(status, headers)
    .end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${id}</RequestId><HostId>${randomUUID()}</HostId></Error>`,
    );
}

const coin = () => Math.random() < 0.5;

function throttle(service: Service, req: IncomingMessage, res: ServerResponse): void {
  if (service === 'dynamodb') {
    if (coin()) {
      jsonError(
        res,
        400,
        '1.0',
        'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      );
    } else {
      jsonError(
        res,
        400,
        '1.0',
        'com.amazon.coral.availability#ThrottlingException',
        'Rate of requests exceeds the allowed throughput.',
      );
    }
  } else if (service === 'cognito') {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    if (!CODE_OPERATIONS.includes(operation) && coin()) {
      jsonError(res, 400, '1.1', 'LimitExceededException', 'Limit exceeded for the requested resource.');
    } else jsonError(res, 400, '1.1', 'TooManyRequestsException', 'Rate exceeded');
  } else xmlError(req, res, 503, 'SlowDown', 'Please reduce your request rate.');
}

function failure(service: Service, req: IncomingMessage, res: ServerResponse): void {
  if (service === 'dynamodb')
    jsonError(
      res,
      500,
      '1.0',
      'com.amazonaws.dynamodb.v20120810#InternalServerError',
      'Internal server error',
    );
  else if (service === 'cognito') jsonError(res, 500, '1.1', 'InternalErrorException', 'Internal error');
  else if (coin())
    xmlError(req, res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
  else xmlError(req, res, 503, 'ServiceUnavailable', 'Reduce your request rate.');
}

export async function startFaultProxy(
  service: Service,
  upstream: string,
  initial = NO_FAULTS,
): Promise<FaultProxy> {
  let rates = initial;
  const stats = { ok: 0, throttle: 0, error: 0, hangBefore: 0, hangAfter: 0 };
  const sockets = new Set<Socket>();
  const queued: (keyof FaultRates)[] = [];
  const targeted = new Map<string, keyof FaultRates>();
  const target = new URL(upstream);

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onAnswer: (answer: IncomingMessage) => void,
    res: ServerResponse,
  ) => {
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
      },
      onAnswer,
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const forced = targeted.get(operation) ?? queued.shift();
      targeted.delete(operation);
      let r = Math.random();
      const take = (rate: number, kind: keyof FaultRates) => {
        if (forced !== undefined) return forced === kind;
        const hit = r < rate;
        r -= rate;
        return hit;
      };
      if (take(rates.throttle, 'throttle')) {
        stats.throttle++;
        throttle(service, req, res);
      } else if (take(rates.error, 'error')) {
        stats.error++;
        failure(service, req, res);
      } else if (take(rates.hangBefore, 'hangBefore')) {
        stats.hangBefore++; // Never answered: the client's own deadline must end it.
      } else if (service !== 'cognito' && take(rates.hangAfter, 'hangAfter')) {
        stats.hangAfter++;
        forward(req, body, (answer) => answer.resume(), res); // Applied; the answer is lost.
      } else {
        stats.ok++;
        forward(
          req,
          body,
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
          res,
        );
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setRates: (next) => {
      rates = next;
    },
    queue: (...faults) => {
      queued.push(...faults);
    },
    failNext: (operation, fault) => {
      targeted.set(operation, fault);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
