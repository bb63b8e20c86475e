// npm run migrate:dynamodb [-- --dry-run] — brings a DynamoDB table written by a release before
// layout 2 into this release's layout (docs/dynamodb.md, "Upgrading"): each user's four items
// merged into one. Run it while no server writes to the table. Reads the server's own settings
// (STORE=dynamodb, DYNAMODB_TABLE, AWS_REGION, DYNAMODB_ENDPOINT for DynamoDB Local) and the AWS
// credentials of the environment, which need dynamodb:Scan, Query, UpdateItem, DeleteItem, GetItem
// and PutItem on the table (the server's own role has no Scan: run it as an operator).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { migrateToLayout2 } from '../src/adapters/store/dynamodb/migrations/to-layout-2.ts';
import { loadConfig, readEnv } from '../src/config/config.ts';
import { ConfigError } from '../src/config/settings.ts';

try {
  const config = loadConfig(readEnv());
  if (config.store !== 'dynamodb')
    throw new ConfigError('STORE', 'must be dynamodb to migrate a DynamoDB table');
  const dryRun = process.argv.includes('--dry-run');
  const client = new DynamoDBClient({
    region: config.awsRegion,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  console.log(`${dryRun ? 'Dry run: reading' : 'Migrating'} table ${config.dynamodbTable} to layout 2...`);
  const report = await migrateToLayout2(db, config.dynamodbTable, {
    dryRun,
    log: (line) => console.log(line),
  });
  client.destroy();
  const { profile, revocation, billing, usage } = report.merged;
  console.log(
    `${dryRun ? 'Would merge' : 'Merged'}: ${profile} profiles, ${revocation} revocation marks, ${billing} billing states, ${usage} usage counters (of ${report.scanned} items).`,
  );
  if (!dryRun) {
    console.log(`Deleted ${report.deleted} old items; ${report.alreadyThere} were already merged.`);
    if (report.kept > 0) {
      console.error(
        `${report.kept} old items changed while this ran and were kept: a server is still writing to the table. Stop it and run this again.`,
      );
      process.exit(1);
    }
    console.log('The table is in layout 2: this release can start.');
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
