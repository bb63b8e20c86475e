/**
 * Configuration, parsed once from the environment (and .env) and frozen. A wrong setting throws a
 * ConfigError naming the variable; src/server.ts prints it as one line and exits.
 */
import { ConfigError, type Setting, settings } from './settings.ts';

type ValueOf<S> = S extends Setting<infer T> ? T : never;
export type Config = Readonly<{ [K in keyof typeof settings]: ValueOf<(typeof settings)[K]> }>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.name];
    const value = raw === undefined || (raw === '' && s.default !== undefined) ? s.default : raw;
    if (value === undefined) throw new ConfigError(s.name, 'is required');
    out[key] = s.parse(value, s.name);
  }
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
  return Object.freeze({ ...config, corsOrigins: Object.freeze([...config.corsOrigins]) }) as Config;
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
