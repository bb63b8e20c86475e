/**
 * Creates the store's table where none exists (DynamoDB Local, `npm run start:aws-local`, tests).
 * On AWS the table is Terraform's (infra/terraform/modules/data), with the same keys, index and TTL
 * attribute; the app never creates or changes it there.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { errorName } from './errors.ts';
import { TABLE_KEYS as K } from './keys.ts';

export async function createTableIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if (errorName(err) !== 'ResourceNotFoundException') throw err;
  }
  const creating = client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [K.partition, K.sort, K.indexPartition, K.indexSort].map((AttributeName) => ({
        AttributeName,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: K.partition, KeyType: 'HASH' },
        { AttributeName: K.sort, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: K.index,
          KeySchema: [
            { AttributeName: K.indexPartition, KeyType: 'HASH' },
            { AttributeName: K.indexSort, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await creating.catch((err: unknown) => {
    // A CreateTable retried after its answer was lost (the first attempt applied), or another
    // server creating the table at the same moment: the table is there, as asked.
    if (errorName(err) !== 'ResourceInUseException') throw err;
  });
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  const enabling = client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: K.ttl, Enabled: true },
    }),
  );
  await enabling.catch((err: unknown) => {
    // The same after a lost answer: DynamoDB refuses to enable a TTL that is already on.
    const alreadyOn = errorName(err) === 'ValidationException' && /already enabled/i.test(String(err));
    if (!alreadyOn) throw err;
  });
}
