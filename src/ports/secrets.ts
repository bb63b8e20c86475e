/**
 * The secrets port: named secret strings, read once at start (environment and .env by default,
 * AWS Secrets Manager in AWS mode). `get` returns undefined for an unset secret (an empty string
 * counts as unset). Values never reach logs.
 */
export interface Secrets {
  get(name: string): Promise<string | undefined>;
}
