/**
 * No request path may send a DynamoDB Scan (issue 6, item 3). test/helpers/build.ts puts this on
 * the store client of every app it builds on DynamoDB, so every route test of the AWS pass, and
 * every AWS-mode journey, checks it for the paths it walks.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Makes a DynamoDB client refuse every Scan (a request path that scans then fails its test) and
 * record the name of every command it sends into `into`.
 */
export function refuseScans(client: DynamoDBClient, into: string[] = []): string[] {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      into.push(name);
      if (name.startsWith('Scan')) throw new Error(`a request path sent ${name}: no request may scan`);
      return next(args);
    },
    { step: 'initialize', name: 'refuse-scans' },
  );
  return into;
}
