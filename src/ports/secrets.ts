/**
 * The secrets port: named secret strings, read once at start (environment and .env by default,
 * AWS Secrets Manager in AWS mode). `get` returns undefined for an unset secret; `require` throws
 * a ConfigError-style Error naming it. Values never reach logs.
 */
export interface Secrets {
  get(name: string): Promise<string | undefined>;
}
