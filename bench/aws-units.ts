/**
 * DynamoDB request units and their on-demand price, for `npm run bench:aws`.
 *
 * Reads and single-item writes are priced by what DynamoDB Local reports (`ReturnConsumedCapacity:
 * INDEXES`, table and index together): it follows AWS's rules there (1 unit per strongly
 * consistent read of up to 4 KB, 0.5 eventually consistent, 1 per KB written, plus each index
 * write). Its figures for TransactWriteItems are wrong, though: it reported 2 units for one
 * transaction of three 20-byte puts, where AWS bills 6 (two per item and KB: prepare and commit).
 * So transactions are priced here by AWS's rule from the items themselves: the put items as sent,
 * the updated items as they are afterwards, each item that carries the index keys once more for
 * its index entry (the index projects every attribute).
 */

type AttributeValue = Record<string, unknown>;

/** An attribute value's size by DynamoDB's item-size rules (names and values, UTF-8). */
export function valueSize(value: AttributeValue): number {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(v));
    case 'N': {
      // About one byte per two significant digits, plus one.
      const digits = String(v).replace(/^-/, '').replace(/\./, '').replace(/^0+/, '').replace(/0+$/, '');
      return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
    }
    case 'B':
      return Buffer.from(String(v), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((n, s) => n + Buffer.byteLength(s), 0);
    case 'NS':
      return (v as string[]).reduce((n, s) => n + valueSize({ N: s }), 0);
    case 'L':
      return 3 + (v as AttributeValue[]).reduce((n, e) => n + 1 + valueSize(e), 0);
    case 'M':
      return 3 + itemSize(v as Record<string, AttributeValue>) + Object.keys(v as object).length;
    default:
      return 0;
  }
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueSize(value), 0);
}

/** Write units of one transactional write of an item of this size, with its index entry if any. */
export const transactionalUnits = (size: number, indexed: boolean): number =>
  2 * Math.max(1, Math.ceil(size / 1024)) * (indexed ? 2 : 1);

/** US East (N. Virginia) on-demand prices, USD per million request units (since November 2024). */
export const PRICE_PER_MILLION = { read: 0.125, write: 0.625 } as const;

/** Dollars per million requests that each consume these units. */
export const costPerMillion = (readUnits: number, writeUnits: number): number =>
  readUnits * PRICE_PER_MILLION.read + writeUnits * PRICE_PER_MILLION.write;

/** Which DynamoDB operations read (their units are read units); the rest write. */
export const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
