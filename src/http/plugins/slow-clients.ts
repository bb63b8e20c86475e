/**
 * Slow clients cannot hold connections open: without these limits a request whose headers arrive a
 * byte at a time held a connection for about 87 s, and a body declared at 1000 bytes with 10 sent
 * stayed open indefinitely (Fastify turns Node's request timeout off).
 *
 * - Headers: HTTP_HEADERS_TIMEOUT_SECONDS from a request's first byte (or from connecting) to the
 *   end of its headers. Node enforces it, checking every second rather than every 30 s, so a slow
 *   connection is closed at most a second after its time.
 * - Bodies: HTTP_REQUEST_TIMEOUT_SECONDS from the headers to the body's last byte, for every
 *   request but an upload. Node's own request timeout stays off, as it would also cut a large
 *   upload short on a slow link; each body is watched here instead, from the `request` event on.
 * - Uploads (http/uploads.ts, when a route starts reading its file): no total limit, but
 *   UPLOAD_IDLE_TIMEOUT_SECONDS without a byte from the client ends it. Time the server itself is
 *   not reading (storage applying backpressure) is never counted against the client.
 * - Keep-alive: an idle connection closes after HTTP_KEEP_ALIVE_TIMEOUT_SECONDS.
 *
 * A body that has arrived in full, or waits in a full buffer, while the server is still busy before
 * reading it is never cut: that delay is the server's.
 *
 * A body that runs out of time gets a 408 REQUEST_TIMEOUT (when nothing was answered yet) and its
 * connection is closed. None of this applies to app.inject, which has no connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type ErrorCode, errorCodes } from '../../domain/errors.ts';

export interface SlowClientLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly uploadIdleTimeoutMs: number;
}

interface Watch {
  /** From now on the body may take as long as it needs, as long as bytes keep coming. */
  toIdle(): void;
}

const watches = new WeakMap<IncomingMessage, Watch>();

/** Called by an upload route as it starts reading its body (http/uploads.ts). */
export function uploadMayTakeItsTime(request: IncomingMessage): void {
  watches.get(request)?.toIdle();
}

const TIMEOUT: ErrorCode = 'REQUEST_TIMEOUT';
const TIMEOUT_BODY = JSON.stringify({
  error: { code: TIMEOUT, message: 'The request took too long to arrive. Send it again.' },
});

const expectsBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

export const slowClients = fp(
  async (app: FastifyInstance, limits: SlowClientLimits) => {
    const server = app.server;
    server.headersTimeout = limits.headersTimeoutMs;
    server.requestTimeout = 0;
    server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    // How often Node looks for connections past their time (30 s by default). A ServerOptions field
    // that Node reads again when the server starts listening, so setting it here is in time.
    (server as typeof server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
      Math.min(1000, limits.headersTimeoutMs);

    /** Answers 408 if nothing was answered yet, then closes the connection. */
    const cut = (req: IncomingMessage, res: ServerResponse, why: string) => {
      app.log.info({ method: req.method, why }, 'closed a connection whose request body was too slow');
      const socket = req.socket;
      if (res.headersSent || socket.destroyed) {
        socket.destroy();
        return;
      }
      res.writeHead(errorCodes[TIMEOUT], {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(TIMEOUT_BODY),
        connection: 'close',
      });
      res.end(TIMEOUT_BODY, () => socket.destroy());
      // A client that does not read the answer either is not waited for.
      setTimeout(() => socket.destroy(), 1000).unref();
    };

    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.complete || !expectsBody(req)) return;
      // At the limit, the body is cut only if the client is the one behind. A body that has fully
      // arrived but that the server has not read yet (a hook before the body parser still waiting
      // on a slow service), or one the socket stopped reading because the request's buffer is
      // full, is the server's delay: it is looked at again a second later.
      const clientBehind = () => !req.complete && req.readableLength < req.readableHighWaterMark;
      const check = () => {
        if (req.complete) timer = undefined;
        else if (clientBehind()) cut(req, res, 'body not complete in time');
        else timer = setTimeout(check, 1000);
      };
      let timer: NodeJS.Timeout | undefined = setTimeout(check, limits.requestTimeoutMs);
      let idle = false;
      const onIdle = () => {
        // The silence is the client's only if the server is reading and has read all it was sent:
        // a body already complete, one the route has not started on or paused (backpressure), or
        // bytes waiting in the stream's buffer, all mean the server is the one behind.
        const serverBehind = req.complete || req.readableFlowing !== true || req.readableLength > 0;
        if (serverBehind) req.socket.setTimeout(limits.uploadIdleTimeoutMs);
        else cut(req, res, 'upload body idle');
      };
      const done = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (idle) {
          idle = false;
          res.off('timeout', onIdle);
          // Once the answer is out, Node has armed the keep-alive timeout on this socket: keep it.
          if (!req.socket.destroyed && !res.writableFinished) req.socket.setTimeout(0);
        }
      };
      req.once('end', done);
      req.once('close', done);
      watches.set(req, {
        toIdle() {
          if (!timer || idle) return;
          clearTimeout(timer);
          timer = undefined;
          idle = true;
          // Node emits the socket's timeout on the response (and on the request only while its
          // body is incomplete); with no listener it destroys the socket.
          res.on('timeout', onIdle);
          req.socket.setTimeout(limits.uploadIdleTimeoutMs);
        },
      });
    });
  },
  { name: 'slow-clients' },
);
