/**
 * The one-time migration of a table written by a release before layout 2 (layout.ts): each user's
 * profile, revocation mark, billing state and usage items (sk PROFILE, REVOCATION, BILLING, USAGE)
 * are merged into the user's one item (sk USER), then deleted, and the table is stamped with layout
 * 2. A batch job, run while no server writes to the table (docs/dynamodb.md, "Upgrading"), so it
 * is the one place that scans; no request path does.
 *
 * What it guarantees:
 * - Nothing is lost: every legacy item is merged before it is deleted, each merge on its own, so a
 *   run that stops half-way leaves both copies and the next run merges again and finishes. A
 *   legacy item that changed after it was read (a server still writing) is not deleted: the report
 *   counts it as kept, and a run after every server has stopped merges it.
 * - Running it again changes nothing: a mark merges as the larger of the two; a profile or billing
 *   state only over an older one (by updatedAt). The usage is not copied but counted again from
 *   the user's file records, so it is exact whatever the old counter said.
 * - A dry run reads everything and writes nothing, and reports what a real run would merge.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { billingDueItem, billingItem, profileAttributes, toBilling, toProfile } from '../items.ts';
import { keys } from '../keys.ts';
import { stampLayout } from '../layout.ts';
import { createTableOps, type Item, type UpdateParts, updateOf } from '../table-ops.ts';

export interface MigrationReport {
  /** Items the scan read. */
  scanned: number;
  /** Legacy items merged into their user's item, by kind. */
  merged: { profile: number; revocation: number; billing: number; usage: number };
  /** Legacy items whose user item already held something as new or newer (nothing to merge). */
  alreadyThere: number;
  /** Legacy items deleted after their merge. */
  deleted: number;
  /** Legacy items left in place because they changed while the migration ran. */
  kept: number;
}

type Kind = keyof MigrationReport['merged'];
const KINDS: readonly Kind[] = ['profile', 'revocation', 'billing', 'usage'];
const LEGACY_SK: Record<string, Kind> = {
  PROFILE: 'profile',
  REVOCATION: 'revocation',
  BILLING: 'billing',
  USAGE: 'usage',
};

/** How many items of one scan page are merged at once. */
const IN_FLIGHT = 16;

/** The user item's update that takes in one legacy item, conditioned so that it never goes back. */
function mergeOf(kind: Kind, userId: string, item: Item): UpdateParts {
  switch (kind) {
    case 'profile': {
      const profile = toProfile(item);
      return updateOf(
        { userId, ...profileAttributes(profile) },
        {
          condition: 'attribute_not_exists(#e) OR #t <= :t',
          names: { '#e': 'email', '#t': 'updatedAt' },
          values: { ':t': profile.updatedAt },
        },
      );
    }
    case 'revocation':
      return updateOf(
        { userId, revokedThrough: Number(item.through) },
        {
          condition: 'attribute_not_exists(#m) OR #m < :m',
          names: { '#m': 'revokedThrough' },
          values: { ':m': Number(item.through) },
        },
      );
    case 'billing': {
      const record = toBilling(userId, item);
      return updateOf(
        { userId, billing: billingItem(record) },
        {
          condition: 'attribute_not_exists(#b) OR #b.#t <= :t',
          names: { '#b': 'billing', '#t': 'updatedAt' },
          values: { ':t': record.updatedAt },
        },
      );
    }
    case 'usage':
      return updateOf({ userId, usedBytes: Number(item.bytes), fileCount: Number(item.count) });
  }
}

/** The user's usage counted from their file records (strongly consistent). */
async function countedUsage(t: ReturnType<typeof createTableOps>, userId: string): Promise<Item> {
  const files = await t.queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :f)',
    ExpressionAttributeValues: { ':p': `USER#${userId}`, ':f': 'FILE#' },
    ProjectionExpression: '#s',
    ExpressionAttributeNames: { '#s': 'size' },
    ConsistentRead: true,
  });
  return { bytes: files.reduce((n, f) => n + Number(f.size), 0), count: files.length };
}

export async function migrateToLayout2(
  db: DynamoDBDocumentClient,
  TableName: string,
  opts: { dryRun?: boolean; log?: (line: string) => void } = {},
): Promise<MigrationReport> {
  const report: MigrationReport = {
    scanned: 0,
    merged: { profile: 0, revocation: 0, billing: 0, usage: 0 },
    alreadyThere: 0,
    deleted: 0,
    kept: 0,
  };
  const t = createTableOps(db, TableName);

  const migrate = async (item: Item) => {
    const pk = String(item.pk);
    const kind = LEGACY_SK[String(item.sk)];
    if (!kind || !pk.startsWith('USER#')) return;
    if (opts.dryRun) {
      report.merged[kind]++;
      return;
    }
    const userId = pk.slice('USER#'.length);
    const source = kind === 'usage' ? await countedUsage(t, userId) : item;
    const merged = await t.conditional(() =>
      t.retrying(() =>
        db.send(new UpdateCommand({ TableName, Key: keys.user(userId), ...mergeOf(kind, userId, source) })),
      ),
    );
    if (merged) report.merged[kind]++;
    else report.alreadyThere++;
    // A billing state due for reconciliation is listed by its due mark (layout 1 listed the
    // BILLING item itself); written before the old item goes, so a stopped run loses no entry.
    const due = kind === 'billing' && merged ? toBilling(userId, item).checkAfter : null;
    if (due !== null) {
      await db.send(new PutCommand({ TableName, Item: billingDueItem(userId, due) }));
    }
    // Only the item as it was read: one that changed since (a server still writing) stays for the
    // next run, which merges it again. The old usage counter is superseded by the count, whatever it says.
    const deleted = await t.conditional(() =>
      db.send(
        new DeleteCommand({
          TableName,
          Key: { pk: item.pk, sk: item.sk },
          ...(kind === 'usage' ? {} : unchanged(item)),
        }),
      ),
    );
    if (deleted) report.deleted++;
    else report.kept++;
  };

  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    const items = (page.Items ?? []) as Item[];
    report.scanned += items.length;
    for (let i = 0; i < items.length; i += IN_FLIGHT) {
      await Promise.all(items.slice(i, i + IN_FLIGHT).map(migrate));
    }
    start = page.LastEvaluatedKey;
    opts.log?.(
      `scanned ${report.scanned}; merged ${KINDS.map((k) => `${report.merged[k]} ${k}`).join(', ')}`,
    );
  } while (start);
  if (!opts.dryRun) await stampLayout(t);
  return report;
}

/** A condition that holds only while the item is as read: its `updatedAt`, or its mark. */
function unchanged(item: Item) {
  const field = item.through !== undefined ? 'through' : 'updatedAt';
  return {
    ConditionExpression: '#f = :f',
    ExpressionAttributeNames: { '#f': field },
    ExpressionAttributeValues: { ':f': item[field] },
  };
}
