/**
 * Secrets from one AWS Secrets Manager secret, read once at start: its SecretString is a JSON
 * object of string values, e.g. {"COGNITO_CLIENT_SECRET": "...", "STRIPE_SECRET_KEY": "...",
 * "STRIPE_WEBHOOK_SECRET": "..."}. An empty value counts as unset, as in the environment adapter.
 *
 * Anything that keeps the secret from being read (it does not exist, access is denied, the
 * endpoint cannot be reached, its value is binary or not a JSON object of strings) stops the start
 * with a ConfigError naming the secret and the reason in one line. No value, and no part of the
 * secret's text, ever appears in that message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../../config/settings.ts';
import type { Secrets } from '../../../ports/secrets.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';

export interface AwsSecretsOptions {
  /** The secret's name or ARN (SECRETS_ID). */
  readonly secretId: string;
  readonly region: string;
  /** Only for a local stand-in. */
  readonly endpoint?: string;
  /** Static credentials (a local stand-in); the default chain (the task role) without them. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A ready client (tests); region, endpoint and credentials are then unused. */
  readonly client?: SecretsManagerClient;
}

const REASONS: Record<string, string> = {
  ResourceNotFoundException: 'it does not exist (check the name or ARN and the region)',
  AccessDeniedException: 'access was denied (the role needs secretsmanager:GetSecretValue on it)',
  AccessDenied: 'access was denied (the role needs secretsmanager:GetSecretValue on it)',
  DecryptionFailure: 'its KMS key could not decrypt it (the role needs kms:Decrypt on the key)',
  InvalidRequestException: 'it cannot be read now (is it scheduled for deletion?)',
  UnrecognizedClientException: 'the AWS credentials were refused',
  InvalidSignatureException: 'the AWS credentials were refused',
  ExpiredTokenException: 'the AWS credentials have expired',
  CredentialsProviderError: 'no AWS credentials were found',
};

function reasonOf(err: unknown): string {
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (REASONS[name]) return REASONS[name];
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(code)) {
    return `Secrets Manager could not be reached (${code})`;
  }
  // The error's name only: its message may quote the request, never worth the risk.
  return `it could not be read (${name || 'unknown error'})`;
}

/** Reads the secret once; rejects with ConfigError('SECRETS_ID', ...) when it cannot be used. */
export async function createAwsSecrets(opts: AwsSecretsOptions): Promise<Secrets> {
  const client =
    opts.client ??
    new SecretsManagerClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...awsClientSettings(BUDGETS.secrets),
    });
  const fail = (reason: string) => new ConfigError('SECRETS_ID', `secret "${opts.secretId}": ${reason}`);
  let text: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: opts.secretId }));
    if (out.SecretString === undefined) throw fail('it holds binary data; store a JSON object as its text');
    text = out.SecretString;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw fail(reasonOf(err));
  } finally {
    if (!opts.client) client.destroy();
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('its value is not JSON; store a JSON object of strings, e.g. {"STRIPE_SECRET_KEY": "..."}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('its value is not a JSON object of strings');
  }
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw fail(`the value of "${name}" is not a string`);
    if (value !== '') values.set(name, value);
  }
  return {
    async get(name) {
      return values.get(name);
    },
  };
}
