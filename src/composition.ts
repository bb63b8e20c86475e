/**
 * Configuration in, adapters out. The only file that knows which adapters exist: everything else
 * sees ports. All embedded data lives under DATA_DIR, created on first start.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLocalBlobs } from './adapters/blobs/local/local-blobs.ts';
import { type BuiltinIdentity, createBuiltinIdentity } from './adapters/identity/builtin/builtin-identity.ts';
import { createOutboxMail } from './adapters/mail/outbox/outbox-mail.ts';
import { createEnvSecrets } from './adapters/secrets/env/env-secrets.ts';
import { createSqliteStore } from './adapters/store/sqlite/sqlite-store.ts';
import type { Config } from './config/config.ts';
import { assetPath } from './config/paths.ts';
import { parseCommonPasswords } from './domain/password-policy.ts';
import type { Mail } from './ports/mail.ts';
import type { Deps, Logger } from './services/deps.ts';

export const BUILTIN_CLIENT_ID = 'gatehouse';

/** Six-digit codes in a dev-outbox log line are masked: logs must never carry codes (SECURITY 36). */
export const maskCodes = (text: string): string =>
  text.replace(/\b\d{6}\b/g, '******').replace(/code=[^&\s]+/g, 'code=******');

/** The 18,000-entry list is read on the first password check, not on the start-up path. */
function lazyCommonPasswords(): { has(candidate: string): boolean } {
  let set: Set<string> | null = null;
  return {
    has(candidate) {
      set ??= parseCommonPasswords(readFileSync(assetPath('src/domain/data/common-passwords.txt'), 'utf8'));
      return set.has(candidate);
    },
  };
}

/** The built-in identity provider on DATA_DIR; also what `npm run keys:rotate` opens. */
export function createIdentity(config: Config, mail: Mail, clock: () => number = Date.now): BuiltinIdentity {
  return createBuiltinIdentity({
    file: join(resolve(config.dataDir), 'identity.db'),
    issuer: config.appOrigin,
    clientId: BUILTIN_CLIENT_ID,
    mail,
    mailContext: { serviceName: config.serviceName, appOrigin: config.appOrigin },
    hashCost: config.passwordHashCost,
    accessTokenTtl: config.accessTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    refreshIdleTtl: config.refreshIdleTtl,
    clock,
  });
}

export interface Composition {
  readonly deps: Deps;
  close(): Promise<void>;
}

export function compose(
  config: Config,
  log: Logger,
  env: Record<string, string | undefined> = process.env,
  clock: () => number = Date.now,
): Composition {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const mail = createOutboxMail({
    file: join(dataDir, 'outbox.jsonl'),
    log: (text) =>
      log.info({ mail: maskCodes(text) }, 'dev outbox: message stored; read it in full at GET /api/dev/mail'),
  });
  const identity = createIdentity(config, mail, clock);
  const store = createSqliteStore(join(dataDir, 'gatehouse.db'));
  const blobs = createLocalBlobs(join(dataDir, 'blobs'));
  const secrets = createEnvSecrets(env);

  const deps: Deps = {
    config,
    identity,
    store,
    blobs,
    mail,
    secrets,
    passwordPolicy: {
      minLength: config.passwordMinLength,
      maxLength: config.passwordMaxLength,
      common: lazyCommonPasswords(),
    },
    clock,
    log,
  };
  return {
    deps,
    async close() {
      await identity.close();
      await store.close();
    },
  };
}
