/**
 * A counting HTTP proxy in front of one AWS stand-in (DynamoDB Local, cognito-local, s3rver), for
 * `npm run bench:aws`. Every request that passes is recorded with its operation, when it started
 * and ended (as the proxy saw it), and, for DynamoDB, its capacity units: the proxy adds
 * `ReturnConsumedCapacity: INDEXES` to each request that takes it (the stand-ins check no
 * signature) and reads the answer's `ConsumedCapacity`, table and indexes together, except for
 * transactions, which DynamoDB Local misprices: those are priced from their items (aws-units.ts),
 * the updated ones read back by the proxy after the answer has gone (that read is not recorded).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { itemSize, transactionalUnits } from './aws-units.ts';

export type Service = 'dynamodb' | 'cognito' | 's3';

export interface Call {
  readonly service: Service;
  readonly operation: string;
  /** performance.now() in this process, at the request's arrival and at the answer's end. */
  readonly start: number;
  readonly end: number;
  /** Capacity units DynamoDB Local reported (table and indexes), 0 for the other services. */
  readonly units: number;
}

export interface CountingProxy {
  readonly endpoint: string;
  /**
   * Resolves once every call that has reached the proxy is recorded. A transaction is recorded
   * only after its items are read back for pricing, which can outlast a short pause on a busy
   * machine: without this wait its record fell into the next request's window.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** DynamoDB operations that accept ReturnConsumedCapacity. */
const CAPACITY_OPS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/** The S3 REST operation a request stands for, from its method, path and query. */
export function s3Operation(method: string, url: string): string {
  const { pathname, searchParams } = new URL(url, 'http://s3.local');
  const isBucket = pathname.split('/').filter(Boolean).length <= 1;
  if (method === 'HEAD') return isBucket ? 'HeadBucket' : 'HeadObject';
  if (method === 'GET') return isBucket ? 'ListObjectsV2' : 'GetObject';
  if (method === 'DELETE') return isBucket ? 'DeleteBucket' : 'DeleteObject';
  if (method === 'POST' && searchParams.has('delete')) return 'DeleteObjects';
  if (method === 'POST' && searchParams.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && searchParams.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && searchParams.has('partNumber')) return 'UploadPart';
  if (method === 'PUT') return isBucket ? 'CreateBucket' : 'PutObject';
  return `${method} ${pathname}`;
}

type Json = Record<string, unknown>;
type TransactItem = { Put?: { Item: Json }; Update?: { TableName: string; Key: Json } };

/** AWS's price of a committed TransactWriteItems; `read` fetches an item as it is now. */
async function transactionUnits(request: Json, read: (table: string, key: Json) => Promise<Json | null>) {
  let units = 0;
  for (const entry of (request.TransactItems ?? []) as TransactItem[]) {
    const item = entry.Put
      ? entry.Put.Item
      : entry.Update
        ? await read(entry.Update.TableName, entry.Update.Key)
        : null;
    // A delete or condition check: its item is gone or unread; priced as one of up to 1 KB.
    units += item ? transactionalUnits(itemSize(item as never), 'gsi1pk' in item) : 2;
  }
  return units;
}

const targetOperation = (headers: IncomingHttpHeaders, method: string, url: string): string => {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  // cognito-local also serves the pool's JWKS over plain GET.
  return `${method} ${url.split('?')[0]}`;
};

/** Sums ConsumedCapacity, whether one object (single-item calls) or a list (batch, transaction). */
export function consumedUnits(answer: unknown): number {
  const cc = (answer as { ConsumedCapacity?: unknown } | null)?.ConsumedCapacity;
  const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
  return list.reduce(
    (sum: number, c) => sum + Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0),
    0,
  );
}

export async function startCountingProxy(
  service: Service,
  upstream: string,
  record: (call: Call) => void,
): Promise<CountingProxy> {
  let pending = 0;
  let waiters: (() => void)[] = [];
  const done = (call: Call) => {
    record(call);
    pending--;
    if (pending === 0) {
      for (const wake of waiters) wake();
      waiters = [];
    }
  };
  const server: Server = createServer((req, res) => {
    pending++;
    const start = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const operation =
        service === 's3' ? s3Operation(method, url) : targetOperation(req.headers, method, url);
      let body = Buffer.concat(chunks);
      let json: Json = {};
      if (service === 'dynamodb' && CAPACITY_OPS.has(operation)) {
        json = JSON.parse(body.toString('utf8')) as Json;
        json.ReturnConsumedCapacity = 'INDEXES';
        body = Buffer.from(JSON.stringify(json));
      }
      const headers = { ...req.headers, 'content-length': String(body.length) };
      // DynamoDB Local keeps tables per access key and region, read from the Authorization header.
      const read = (TableName: string, Key: Json) =>
        send(
          { ...req.headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' },
          { TableName, Key, ConsistentRead: true },
        ).then((r) => (JSON.parse(r.body.toString('utf8')) as { Item?: Json }).Item ?? null);
      const send = (h: IncomingHttpHeaders, payload: Json | Buffer) =>
        new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const data = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
          const out = httpRequest(
            `${upstream}${url}`,
            { method, headers: { ...h, 'content-length': String(data.length) } },
            (answer) => {
              const parts: Buffer[] = [];
              answer.on('data', (c: Buffer) => parts.push(c));
              answer.on('end', () =>
                resolve({
                  status: answer.statusCode ?? 502,
                  headers: answer.headers,
                  body: Buffer.concat(parts),
                }),
              );
            },
          );
          out.on('error', reject);
          out.end(data);
        });
      send(headers, body).then(
        async (answer) => {
          const end = performance.now();
          res.writeHead(answer.status, {
            ...answer.headers,
            ...(answer.headers['content-length'] ? { 'content-length': String(answer.body.length) } : {}),
          });
          res.end(answer.body);
          let units = 0;
          if (service === 'dynamodb' && CAPACITY_OPS.has(operation) && answer.status === 200) {
            // A failed read-back must still record the call, or settled() would never resolve.
            units = await (operation === 'TransactWriteItems'
              ? transactionUnits(json, read)
              : Promise.resolve(consumedUnits(JSON.parse(answer.body.toString('utf8'))))
            ).catch(() => Number.NaN);
          }
          done({ service, operation, start, end, units });
        },
        (err: unknown) => {
          res.writeHead(502).end(String(err));
          done({ service, operation: `${operation} (failed)`, start, end: performance.now(), units: 0 });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    settled: () =>
      pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
