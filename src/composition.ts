/**
 * Configuration in, adapters out. The only file that knows which adapters exist: everything else
 * sees ports (with its continuations in composition/: billing, federation, mail). All embedded data
 * lives under DATA_DIR, created on first start. Adapters other than the embedded defaults are
 * imported only when chosen, so the default start never loads the AWS SDK or Stripe's (the build
 * splits them into chunks of their own).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLocalBlobs } from './adapters/blobs/local/local-blobs.ts';
import { type BuiltinIdentity, createBuiltinIdentity } from './adapters/identity/builtin/builtin-identity.ts';
import { createMemoryLimits } from './adapters/limits/memory/memory-limits.ts';
import { createEnvSecrets } from './adapters/secrets/env/env-secrets.ts';
import { createSqliteStore } from './adapters/store/sqlite/sqlite-store.ts';
import { createBilling } from './composition/billing.ts';
import { cognitoJwksUri, createFederation } from './composition/federation.ts';
import { createMailTransport } from './composition/mail.ts';
import type { Config } from './config/config.ts';
import { assetPath } from './config/paths.ts';
import { loadPlans } from './config/plans-file.ts';
import { ConfigError } from './config/settings.ts';
import { type CommonPasswords, parseCommonPasswords } from './domain/password-policy.ts';
import type { Blobs } from './ports/blobs.ts';
import type { IdentityProvider } from './ports/identity.ts';
import type { Limits } from './ports/limits.ts';
import type { Mail } from './ports/mail.ts';
import type { Passkeys } from './ports/passkeys.ts';
import type { Secrets } from './ports/secrets.ts';
import type { Store } from './ports/store.ts';
import type { Deps, Logger } from './services/deps.ts';
import { createMailDelivery } from './services/mail-delivery.ts';

export const BUILTIN_CLIENT_ID = 'gatehouse';

/** The 18,000-entry list is read on the first password check, not on the start-up path. */
function lazyCommonPasswords(): CommonPasswords {
  let list: CommonPasswords | null = null;
  return {
    has(candidate) {
      list ??= parseCommonPasswords(readFileSync(assetPath('src/domain/data/common-passwords.txt'), 'utf8'));
      return list.has(candidate);
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

/**
 * The identity provider the configuration asks for: the built-in one on DATA_DIR, or a Cognito user
 * pool (its app-client secret, if it has one, comes through the secrets port). With COGNITO_ENDPOINT
 * (a local stand-in) the pool's keys are fetched from that endpoint too. Cognito's passkey
 * ceremonies wait in the store's short-lived flows, so any instance can finish one.
 */
async function createIdentityProvider(
  config: Config,
  store: Store,
  secrets: Secrets,
  mail: Mail,
  log: Logger,
  clock: () => number,
): Promise<{ identity: IdentityProvider; passkeys: Passkeys }> {
  if (config.identityProvider !== 'cognito') {
    const identity = createIdentity(config, mail, clock);
    return { identity, passkeys: identity.passkeys };
  }
  const clientSecret = await secrets.get('COGNITO_CLIENT_SECRET');
  const endpoint = config.cognitoEndpoint || undefined;
  const { createCognitoIdentity } = await import('./adapters/identity/cognito/cognito-identity.ts');
  const jwksUri = cognitoJwksUri(config);
  const identity = createCognitoIdentity({
    region: config.awsRegion,
    userPoolId: config.cognitoUserPoolId,
    clientId: config.cognitoClientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(endpoint && jwksUri ? { endpoint, jwksUri } : {}),
    passkeyCeremonies: store.oauthFlows,
    clock,
    log,
  });
  return { identity, passkeys: identity.passkeys };
}

/** Credentials from the identity pool, in Cognito mode when a pool is configured. */
async function createAwsCredentials(config: Config, log: Logger) {
  if (!config.cognitoIdentityPoolId) return null;
  if (config.identityProvider !== 'cognito') {
    throw new ConfigError('COGNITO_IDENTITY_POOL_ID', 'is only used with IDENTITY_PROVIDER=cognito');
  }
  const { createIdentityPoolCredentials } = await import(
    './adapters/credentials/cognito/identity-pool-credentials.ts'
  );
  return createIdentityPoolCredentials({
    region: config.awsRegion,
    identityPoolId: config.cognitoIdentityPoolId,
    developerProvider: config.cognitoDeveloperProvider,
    ...(config.cognitoIdentityEndpoint ? { endpoint: config.cognitoIdentityEndpoint } : {}),
    log,
  });
}

/**
 * Gatehouse's own records: one SQLite file under DATA_DIR, or one DynamoDB table (STORE=dynamodb).
 * Against DynamoDB Local (DYNAMODB_ENDPOINT set) the table is created when missing; on AWS it is
 * Terraform's, and the app never creates or changes it.
 */
async function createStore(config: Config, dataDir: string, clock: () => number): Promise<Store> {
  if (config.store !== 'dynamodb') return createSqliteStore(join(dataDir, 'gatehouse.db'));
  const { createDynamoStore } = await import('./adapters/store/dynamodb/dynamodb-store.ts');
  const store = createDynamoStore({
    tableName: config.dynamodbTable,
    region: config.awsRegion,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    clock,
  });
  if (config.dynamodbEndpoint) {
    const { createTableIfMissing } = await import('./adapters/store/dynamodb/table.ts');
    await createTableIfMissing(store.client, config.dynamodbTable);
  }
  const layout = await store.layout();
  if (layout !== 'current') {
    await store.close();
    throw new ConfigError(
      'DYNAMODB_TABLE',
      layout === 'legacy'
        ? `table ${config.dynamodbTable} holds items in an earlier release's layout: stop the service, run \`npm run migrate:dynamodb\` (docs/dynamodb.md, "Upgrading"), then start this release`
        : `table ${config.dynamodbTable} was written by a later release of Gatehouse: run that release`,
    );
  }
  return store;
}

/**
 * The sensitive routes' rate-limit counters follow the store: in this process's memory on one
 * machine (one server per DATA_DIR sees every request), in the store's DynamoDB table when the
 * app may run as several instances, so they share one budget.
 */
async function createLimits(config: Config, clock: () => number): Promise<Limits> {
  if (config.store !== 'dynamodb') return createMemoryLimits({ clock });
  const { createDynamoLimits } = await import('./adapters/limits/dynamodb/dynamodb-limits.ts');
  return createDynamoLimits({
    tableName: config.dynamodbTable,
    region: config.awsRegion,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    clock,
  });
}

/** Photos and files: a folder under DATA_DIR, or an S3 bucket (BLOBS=s3). */
async function createBlobs(config: Config, dataDir: string): Promise<Blobs & { close?(): void }> {
  if (config.blobs !== 's3') return createLocalBlobs(join(dataDir, 'blobs'));
  const { createS3Blobs } = await import('./adapters/blobs/s3/s3-blobs.ts');
  return createS3Blobs({
    bucket: config.s3Bucket,
    region: config.awsRegion,
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
    ...(config.s3KmsKeyId ? { kmsKeyId: config.s3KmsKeyId } : {}),
  });
}

export interface Composition {
  readonly deps: Deps;
  close(): Promise<void>;
}

/** The secrets port: one Secrets Manager secret read once (SECRETS=aws), else the environment. */
async function createSecrets(config: Config, env: Record<string, string | undefined>): Promise<Secrets> {
  if (config.secrets !== 'aws') return createEnvSecrets(env);
  const { createAwsSecrets } = await import('./adapters/secrets/aws/aws-secrets.ts');
  return createAwsSecrets({
    secretId: config.secretsId,
    region: config.awsRegion,
    ...(config.secretsEndpoint ? { endpoint: config.secretsEndpoint } : {}),
  });
}

export async function compose(
  config: Config,
  log: Logger,
  env: Record<string, string | undefined> = process.env,
  clock: () => number = Date.now,
): Promise<Composition> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Settings that can still be wrong are checked before any database is opened.
  const secrets = await createSecrets(config, env);
  const plans = loadPlans(config.plansFile);
  const awsCredentials = await createAwsCredentials(config, log);
  const { billing, simulator, prices } = await createBilling(config, plans, secrets, dataDir, log, clock);

  const transport = await createMailTransport(config, secrets, dataDir, log);

  // The store before the identity provider: mail delivery counts each address's send budget in it.
  const store = await createStore(config, dataDir, clock);
  const mail = createMailDelivery({ transport, store, log, clock, budgetPerHour: config.mailBudgetPerHour });
  const { identity, passkeys } = await createIdentityProvider(config, store, secrets, mail, log, clock);
  const federation = await createFederation(config, secrets, identity, log);
  const limits = await createLimits(config, clock);
  const blobs = await createBlobs(config, dataDir);

  const deps: Deps = {
    config,
    identity,
    passkeys,
    federation,
    store,
    limits,
    blobs,
    mail,
    secrets,
    billing,
    // Dev-only capabilities, present only when the embedded adapters provide them.
    ...(simulator ? { billingSimulator: simulator } : {}),
    ...(transport.outbox ? { devOutbox: transport.outbox } : {}),
    ...(awsCredentials ? { awsCredentials } : {}),
    plans,
    prices,
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
      // First: the simulator stops delivering events into a store that is about to close.
      billing.close?.();
      await mail.close?.();
      await identity.close();
      await store.close();
      await limits.close();
      awsCredentials?.close();
      blobs.close?.();
    },
  };
}
