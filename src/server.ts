/**
 * The process: read configuration (a bad setting stops here with one line naming it), compose the
 * adapters, build the app, listen, and shut down gracefully on SIGINT/SIGTERM: no new connections,
 * requests in flight finish, then the adapters close (the data folder's lock is released) and the
 * process exits 0. `npm start` execs this process, so a signal sent to npm reaches it.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { buildApp } from './app.ts';
import { compose } from './composition.ts';
import { type Config, isLoopbackHost, loadConfig, readEnv } from './config/config.ts';
import { devOutboxExposure, devOutboxRefusal } from './config/mail-checks.ts';
import { ConfigError } from './config/settings.ts';
import { createLogger } from './http/plugins/request-log.ts';
import { startReconciler } from './services/billing-reconcile.ts';
import { scheduleOrphanCollection } from './services/files-collector.ts';

function configOrExit(overrides: Record<string, string> = {}): Config {
  try {
    const config = loadConfig({ ...readEnv(), ...overrides });
    // Only a server that listens is refused: other tools (keys:rotate) read the same settings.
    const refusal = devOutboxRefusal(config);
    if (refusal) throw refusal;
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** A port free on `host` right now, for PORT=0. */
const freePort = (host: string) =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/**
 * The first line a person reads: where to open the app. When APP_ORIGIN is not this very socket
 * (a proxy, a container, the Vite dev server in front), both are named, so neither is a guess.
 */
function readyLine(config: Config, address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = new URL(config.appOrigin);
  const here =
    isLoopbackHost(origin.hostname.replace(/^\[|\]$/g, '')) &&
    isLoopbackHost(address.address) &&
    Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)) === address.port;
  const docs = `API docs at ${config.appOrigin}/docs`;
  return here
    ? `Gatehouse is ready at ${config.appOrigin} (${docs})`
    : `Gatehouse is listening on http://${host}:${address.port}, for APP_ORIGIN ${config.appOrigin} (${docs})`;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let config = configOrExit();
  // PORT=0: take a free port before anything is built, so that APP_ORIGIN's default, the origin
  // check and the banner all name the port actually served.
  if (config.port === 0) config = configOrExit({ PORT: String(await freePort(config.host)) });
  const logger = createLogger(config.logLevel, config.logFormat);
  const composition = await compose(config, logger);
  const app = await buildApp({ deps: composition.deps, logger });

  const exposure = devOutboxExposure(config);
  if (exposure) {
    logger.warn(
      `The dev mail outbox is the mail adapter (ALLOW_DEV_OUTBOX=1) and ${exposure}: real users will not receive mail. Set MAIL=smtp or MAIL=ses before going live.`,
    );
  }

  let reconciler: { stop(): void } | null = null;
  let collector: { stop(): void } | null = null;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, `${signal}: stopping; requests in flight finish first`);
    const timer = setTimeout(() => {
      logger.error('Requests still in flight after 10 s: stopping anyway');
      process.exit(1);
    }, 10_000).unref();
    // Fastify closes the connections idle at this moment; one whose request is still in flight
    // turns idle once answered, and a keep-alive client (every browser) would hold it open until
    // its timeout: close those as they come free, so shutdown waits for requests, not clients.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    reconciler?.stop();
    collector?.stop();
    await app.close();
    clearInterval(sweep);
    await composition.close();
    clearTimeout(timer);
    logger.info('Stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  // Billing states in doubt (a checkout paid just before a crash) are compared with the provider's
  // now, and then every BILLING_RECONCILE_SECONDS.
  reconciler = startReconciler(composition.deps);
  // File bytes a crash or a failed write left without a record (services/files-collector.ts).
  collector = scheduleOrphanCollection(composition.deps, startedAt);
  const address = app.server.address() as AddressInfo;
  logger.info({ port: address.port, appOrigin: config.appOrigin }, readyLine(config, address));
}

main().catch((err) => {
  // Settings only checked while composing (billing keys, AWS secrets) fail like any setting.
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Gatehouse failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
