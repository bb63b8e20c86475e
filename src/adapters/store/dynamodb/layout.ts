/**
 * The table's layout version, so that a release never serves from a table whose items it would
 * misread. Layout 2 (this release) keeps one item per user (keys.ts); releases before it kept the
 * profile, revocation mark, billing state and usage in four items and wrote no version. What it
 * guarantees: a table stamped with this layout is served; a table with no stamp and no user of an
 * earlier release (a new one) is stamped and served; a table holding users of an earlier release,
 * or stamped by a later one, is refused, so the server stops at start instead of reading every
 * user as signed out of everything (docs/dynamodb.md, "Upgrading", says what to run).
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import type { Item, TableOps } from './table-ops.ts';

export const LAYOUT_VERSION = 2;

/** `legacy`: users of a release before layout 2 are in it; `newer`: a later release stamped it. */
export type LayoutState = 'current' | 'legacy' | 'newer';

export async function layoutState(t: TableOps): Promise<LayoutState> {
  const version = Number((await t.get(keys.layout()))?.version ?? 0);
  if (version > LAYOUT_VERSION) return 'newer';
  if (version === LAYOUT_VERSION) return 'current';
  if (await hasLegacyProfiles(t)) return 'legacy';
  await stampLayout(t);
  return 'current';
}

/** Records that the table is in this layout (never lowers a later stamp). */
export async function stampLayout(t: TableOps): Promise<void> {
  await t.conditional(() =>
    t.db.send(
      new PutCommand({
        TableName: t.TableName,
        Item: { ...keys.layout(), version: LAYOUT_VERSION },
        ConditionExpression: 'attribute_not_exists(version) OR version < :v',
        ExpressionAttributeValues: { ':v': LAYOUT_VERSION },
      }),
    ),
  );
}

/**
 * Whether the index lists a profile item of a release before layout 2 (sk PROFILE). Every user who
 * ever signed in has a profile, so a table without one holds nothing layout 2 reads differently.
 */
async function hasLegacyProfiles(t: TableOps): Promise<boolean> {
  const out = await t.db.send(
    new QueryCommand({
      TableName: t.TableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': keys.profilesIndex },
      Limit: 1,
    }),
  );
  return (out.Items?.[0] as Item | undefined)?.sk === 'PROFILE';
}
