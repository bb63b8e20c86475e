/**
 * The DynamoDB store's key design, in one place (docs/dynamodb.md explains it with its access
 * patterns). One table: partition key `pk`, sort key `sk`, one global index `gsi1` (gsi1pk, gsi1sk,
 * all attributes projected), and `expires_at` (epoch seconds) as the TTL attribute. The Terraform
 * in infra/terraform/modules/data declares exactly this; a test compares the two.
 *
 * | record            | pk                   | sk                    | gsi1pk               | gsi1sk            |
 * |-------------------|----------------------|-----------------------|----------------------|-------------------|
 * | user: profile, revocation mark, billing, file usage | USER#<userId> | USER | PROFILES (with a profile) | <createdAt>#<id> |
 * | file              | USER#<userId>        | FILE#<fileId>         | FILES#<userId>       | <createdAt>#<id>  |
 * | billing due mark  | USER#<userId>        | BILLING_DUE           | BILLING_DUE          | <checkAfter ms>#<userId> |
 * | customer link     | CUSTOMER#<cusId>     | CUSTOMER              |                      |                   |
 * | webhook event     | EVENT#<eventId>      | EVENT                 |                      |                   |
 * | session           | SESSION#<idHash>     | SESSION               | SESSIONS#<userId>    | <createdAt>#<idHash> |
 * | audit event       | AUDIT#<eventId>      | AUDIT                 | AUDIT                | <at>#<id>         |
 * | audit, by subject | SUBJECT#<subjectId>  | AUDIT#<at>#<id>       |                      |                   |
 * | throttle counter  | THROTTLE#<key>       | THROTTLE              |                      |                   |
 * | social sign-in flow | OAUTHFLOW#<idHash> | OAUTHFLOW             |                      |                   |
 * | linked identity   | IDENTITY#<provider>#<subject> | IDENTITY     | IDENTITIES#<userId>  | <linkedAt>#<provider>#<subject> |
 * | the table's layout version | META          | LAYOUT                |                      |                   |
 *
 * Everything a signed-in request needs about its user is the one user item, so the guard's read is
 * one GetItem (docs/dynamodb.md). A billing state due for reconciliation (checkAfter set) has a
 * small due mark beside it, the one item in gsi1's sparse BILLING_DUE partition: the user item
 * already has its index entry (PROFILES). Releases before layout 2 kept the profile, the revocation mark,
 * the billing state and the usage in four items (sk PROFILE, REVOCATION, BILLING, USAGE);
 * migrations/to-layout-2.ts merges them.
 */

export const TABLE_KEYS = {
  partition: 'pk',
  sort: 'sk',
  index: 'gsi1',
  indexPartition: 'gsi1pk',
  indexSort: 'gsi1sk',
  ttl: 'expires_at',
} as const;

export type Key = { pk: string; sk: string };

/** Epoch milliseconds as a fixed-width string, so they sort as text. */
export const ms = (n: number): string => String(Math.max(0, Math.floor(n))).padStart(15, '0');

export const keys = {
  user: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'USER' }),
  profilesIndex: 'PROFILES',
  file: (userId: string, fileId: string): Key => ({ pk: `USER#${userId}`, sk: `FILE#${fileId}` }),
  filesIndex: (userId: string) => `FILES#${userId}`,
  // The user item is already in gsi1 (PROFILES), so a billing state due for reconciliation is
  // listed by a small item of its own beside it, written in one transaction with the billing map.
  billingDue: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'BILLING_DUE' }),
  billingDueIndex: 'BILLING_DUE',
  customer: (customerId: string): Key => ({ pk: `CUSTOMER#${customerId}`, sk: 'CUSTOMER' }),
  event: (eventId: string): Key => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  session: (idHash: string): Key => ({ pk: `SESSION#${idHash}`, sk: 'SESSION' }),
  sessionsIndex: (userId: string) => `SESSIONS#${userId}`,
  audit: (id: string): Key => ({ pk: `AUDIT#${id}`, sk: 'AUDIT' }),
  auditIndex: 'AUDIT',
  auditBySubject: (subjectId: string, at: string, id: string): Key => ({
    pk: `SUBJECT#${subjectId}`,
    sk: `AUDIT#${at}#${id}`,
  }),
  throttle: (key: string): Key => ({ pk: `THROTTLE#${key}`, sk: 'THROTTLE' }),
  oauthFlow: (idHash: string): Key => ({ pk: `OAUTHFLOW#${idHash}`, sk: 'OAUTHFLOW' }),
  // Provider ids never contain "#", so the subject after the second one is unambiguous.
  identity: (provider: string, subject: string): Key => ({
    pk: `IDENTITY#${provider}#${subject}`,
    sk: 'IDENTITY',
  }),
  identitiesIndex: (userId: string) => `IDENTITIES#${userId}`,
  ping: (): Key => ({ pk: 'PING', sk: 'PING' }),
  layout: (): Key => ({ pk: 'META', sk: 'LAYOUT' }),
};

/** A newest-first position in an index whose sort key is `<time>#<id>`. */
export const indexSort = (at: string, id: string) => `${at}#${id}`;
