/**
 * Configuration, parsed once from the environment (and .env) and frozen. A wrong setting throws a
 * ConfigError naming the variable; src/server.ts prints it as one line and exits.
 */
import { checkMailSettings } from './mail-checks.ts';
import { ConfigError, type Setting, settings } from './settings.ts';

type ValueOf<S> = S extends Setting<infer T> ? T : never;
type Settings = { [K in keyof typeof settings]: ValueOf<(typeof settings)[K]> };
export type Config = Readonly<
  Settings & {
    /**
     * Origins that are this server as much as APP_ORIGIN is: http://localhost, 127.0.0.1 and [::1]
     * at PORT, while APP_ORIGIN is left to its default and HOST is loopback (a browser on this
     * machine may open any of the three). Empty in every other case: an operator who sets
     * APP_ORIGIN, or serves beyond loopback, gets exactly the origin configured.
     */
    loopbackOrigins: readonly string[];
  }
>;

/** The addresses HOST may name that only this machine can reach. */
export const isLoopbackHost = (host: string): boolean =>
  ['127.0.0.1', 'localhost', '::1'].includes(host.trim().toLowerCase());

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  const defaulted = new Set<string>();
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.name];
    const unset = raw === undefined || (raw === '' && s.default !== undefined);
    const value = unset ? (s.follows?.(out) ?? s.default) : raw;
    if (value === undefined) throw new ConfigError(s.name, 'is required');
    if (unset) defaulted.add(s.name);
    out[key] = s.parse(value, s.name);
  }
  const lenient = defaulted.has('APP_ORIGIN') && isLoopbackHost(String(out.host));
  out.loopbackOrigins = lenient
    ? ['localhost', '127.0.0.1', '[::1]'].map((h) => new URL(`http://${h}:${String(out.port)}`).origin)
    : [];
  const config = out as Config;
  if (config.passwordMinLength > config.passwordMaxLength) {
    throw new ConfigError('PASSWORD_MIN_LENGTH', 'must not exceed PASSWORD_MAX_LENGTH');
  }
  if (config.refreshIdleTtl > config.refreshTokenTtl) {
    throw new ConfigError('REFRESH_IDLE_TTL_SECONDS', 'must not exceed REFRESH_TOKEN_TTL_SECONDS');
  }
  if (config.sessionIdleTtl > config.sessionTtl) {
    throw new ConfigError('SESSION_IDLE_TTL_SECONDS', 'must not exceed SESSION_TTL_SECONDS');
  }
  checkAwsSettings(config);
  checkSocialSettings(config);
  checkMailSettings(config);
  return Object.freeze({
    ...config,
    corsOrigins: Object.freeze([...config.corsOrigins]),
    loopbackOrigins: Object.freeze([...config.loopbackOrigins]),
  }) as Config;
}

/** Merge the process environment with a .env file (process environment wins), Node's own parser. */
export function readEnv(envFile = '.env'): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  try {
    // process.loadEnvFile never overrides variables that are already set.
    const before = { ...process.env };
    process.loadEnvFile(envFile);
    Object.assign(merged, process.env, before);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    Object.assign(merged, process.env);
  }
  return merged;
}

/** True when the app is served over plain http on localhost, where __Host- cookies cannot be set. */
export const isPlainLocalhost = (config: Config): boolean => {
  const u = new URL(config.appOrigin);
  return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
};

/**
 * Each AWS adapter chosen needs its settings; every missing one is named in the one line, with the
 * choice that needs it, so an operator fixes them all at once.
 */
function checkAwsSettings(config: Config): void {
  const missing = new Map<string, string[]>();
  const need = (when: boolean, why: string, pairs: [string, string][]) => {
    if (!when) return;
    for (const [name, value] of pairs) {
      if (value.trim() === '') missing.set(name, [...(missing.get(name) ?? []), why]);
    }
  };
  const region: [string, string] = ['AWS_REGION', config.awsRegion];
  need(config.identityProvider === 'cognito', 'IDENTITY_PROVIDER=cognito', [
    region,
    ['COGNITO_USER_POOL_ID', config.cognitoUserPoolId],
    ['COGNITO_CLIENT_ID', config.cognitoClientId],
  ]);
  need(config.store === 'dynamodb', 'STORE=dynamodb', [region, ['DYNAMODB_TABLE', config.dynamodbTable]]);
  need(config.blobs === 's3', 'BLOBS=s3', [region, ['S3_BUCKET', config.s3Bucket]]);
  need(config.secrets === 'aws', 'SECRETS=aws', [region, ['SECRETS_ID', config.secretsId]]);
  const [first, ...rest] = [...missing];
  if (!first) return;
  const also = rest.map(([name, why]) => `${name} (${why.join(', ')})`).join(', ');
  throw new ConfigError(
    first[0],
    `is required by ${first[1].join(', ')}${also ? `; also missing: ${also}` : ''}`,
  );
}

const isLoopback = (url: string): boolean =>
  ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);

/**
 * Social sign-in: built-in mode is the client of each provider itself; Cognito mode goes through
 * the pool's Hosted UI, where the providers are configured in the pool instead. An http issuer is
 * accepted only on this machine (a local stand-in): tokens and secrets never cross a network
 * unencrypted.
 */
function checkSocialSettings(config: Config): void {
  const cognito = config.identityProvider === 'cognito';
  if (cognito) {
    const builtinOnly: [string, string | null][] = [
      ['GOOGLE_CLIENT_ID', config.googleClientId],
      ['FACEBOOK_CLIENT_ID', config.facebookClientId],
      ['AMAZON_CLIENT_ID', config.amazonClientId],
      ['OIDC_ISSUER', config.oidcIssuer],
    ];
    const set = builtinOnly.find(([, v]) => v);
    if (set) {
      throw new ConfigError(
        set[0],
        'is only used with IDENTITY_PROVIDER=builtin; with cognito, add the provider to the user pool and list it in COGNITO_IDENTITY_PROVIDERS',
      );
    }
    if (config.cognitoIdentityProviders.length > 0 && !config.cognitoDomain) {
      throw new ConfigError('COGNITO_DOMAIN', 'is required by COGNITO_IDENTITY_PROVIDERS');
    }
  } else if (config.cognitoIdentityProviders.length > 0) {
    throw new ConfigError('COGNITO_IDENTITY_PROVIDERS', 'is only used with IDENTITY_PROVIDER=cognito');
  }
  if (config.oidcIssuer && !config.oidcClientId) {
    throw new ConfigError('OIDC_CLIENT_ID', 'is required by OIDC_ISSUER');
  }
  for (const [name, url] of [
    ['GOOGLE_ISSUER', config.googleIssuer],
    ['OIDC_ISSUER', config.oidcIssuer],
    ['COGNITO_DOMAIN', config.cognitoDomain],
  ] as const) {
    if (url?.startsWith('http:') && !isLoopback(url)) {
      throw new ConfigError(name, 'must use https (plain http only on localhost, for a local stand-in)');
    }
  }
}
