/**
 * The process: read configuration (a bad setting stops here with one line naming it), compose the
 * adapters, build the app, listen, and shut down gracefully on SIGINT/SIGTERM.
 */
import pino from 'pino';
import { buildApp } from './app.ts';
import { compose } from './composition.ts';
import { type Config, loadConfig, readEnv } from './config/config.ts';
import { ConfigError } from './config/settings.ts';
import { logOptions } from './http/plugins/request-log.ts';
import { scheduleOrphanCollection } from './services/files-collector.ts';

function configOrExit(): Config {
  try {
    return loadConfig(readEnv());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = configOrExit();
  const logger = pino(logOptions(config.logLevel));
  const composition = await compose(config, logger);
  const app = await buildApp({ deps: composition.deps, logger });

  if (composition.deps.mail.outbox && !LOOPBACK_HOSTS.has(config.host)) {
    logger.warn(
      { host: config.host },
      'The dev mail outbox is the mail adapter while listening beyond loopback: real users will not receive mail. Configure SMTP before going live.',
    );
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    collector?.stop();
    await app.close();
    await composition.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let collector: { stop(): void } | undefined;
  await app.listen({ port: config.port, host: config.host });
  // File bytes a crash or a failed write left without a record (services/files-collector.ts).
  collector = scheduleOrphanCollection(composition.deps, startedAt);
  logger.info(`Gatehouse is ready at ${config.appOrigin} (API docs at ${config.appOrigin}/docs)`);
  // The route schemas not used yet compile a second after listening, between requests, so that a
  // fresh instance answers its first requests (health checks) first (http/lazy-schemas.ts).
  setTimeout(() => {
    void app.schemas.compileInIdle((err) => logger.error({ err }, 'a route schema does not compile'));
  }, 1000).unref();
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
