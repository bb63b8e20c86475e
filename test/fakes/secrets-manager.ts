/**
 * A fake AWS Secrets Manager (JSON 1.1 over real HTTP) for GetSecretValue, so the SDK's own
 * encoding, signing and error parsing are exercised: seeded secrets by name or ARN, Secrets
 * Manager's error shapes ({"__type": "...", "Message": "..."}, status 400), a signed request
 * required, every request recorded, and injected failures (aws-json-server.ts).
 */
import { randomUUID } from 'node:crypto';
import { isSigned, startAwsJsonServer } from './aws-json-server.ts';

export interface FakeSecret {
  readonly name: string;
  readonly secretString?: string;
  readonly secretBinary?: Buffer;
}

export async function startFakeSecretsManager(opts: { region?: string; secrets?: FakeSecret[] } = {}) {
  const region = opts.region ?? 'us-east-1';
  const secrets = new Map<string, FakeSecret & { arn: string }>();
  const put = (s: FakeSecret) => {
    const arn = `arn:aws:secretsmanager:${region}:123456789012:secret:${s.name}-${randomUUID().slice(0, 6)}`;
    const entry = { ...s, arn };
    secrets.set(s.name, entry);
    secrets.set(arn, entry);
    return arn;
  };
  for (const s of opts.secrets ?? []) put(s);

  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    messageKey: 'Message',
    answer: ({ operation, body, headers }, error) => {
      if (!isSigned(headers)) {
        return error('UnrecognizedClientException', 'The security token included in the request is invalid.');
      }
      if (operation !== 'GetSecretValue') return error('UnknownOperationException', operation);
      const found = secrets.get(String(body.SecretId));
      if (!found)
        return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      return {
        status: 200,
        body: {
          ARN: found.arn,
          Name: found.name,
          VersionId: randomUUID(),
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Math.floor(Date.now() / 1000),
          ...(found.secretString !== undefined ? { SecretString: found.secretString } : {}),
          ...(found.secretBinary ? { SecretBinary: found.secretBinary.toString('base64') } : {}),
        },
      };
    },
  });
  return {
    ...server,
    region,
    /** Adds or replaces a secret; returns its ARN. */
    put,
  };
}
