/**
 * LOG_FORMAT=pretty: pino's JSON lines turned into lines a person reads at a terminal, in the
 * process, synchronously (no transport worker thread: one more thread and its heap would cost idle
 * memory, and a pretty printer has nothing to gain from it). It formats what pino has already
 * serialised, so it sees exactly what the JSON format would have written: redaction happens before
 * either, and is the same in both.
 *
 *   14:03:09.120 INFO  POST /api/auth/signup 202 41.3 ms  ip=127.0.0.1 reqId=1a2b3c4d-5
 *
 * Nothing a request supplies can forge a line: control characters are escaped, and a value or
 * message that spans lines is indented under its entry, so only the formatter starts a line with a
 * time.
 */

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO ', color: '32' },
  40: { name: 'WARN ', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '41;97' },
};

// Fields every line has, or that the line's own layout shows.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);
const REQUEST_FIELDS = new Set(['method', 'path', 'status', 'ms']);

/** Control characters other than the line break, escaped (an ANSI escape or a lone CR included). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const escapeControl = (s: string) =>
  s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Lines after the first are indented, so they never look like an entry of their own. */
const indent = (text: string, by: string) => escapeControl(text).replace(/\n/g, `\n${by}`);

// A bare word stays bare; anything with spaces, quotes or control characters is JSON-quoted.
const inline = (value: unknown): string =>
  typeof value === 'string' && /^[\x21-\x7e]*$/.test(value) && !value.includes('"')
    ? value
    : JSON.stringify(value);

const time = (ms: unknown): string => {
  const d = typeof ms === 'number' ? new Date(ms) : new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

/** One pino JSON line as readable text (ending in a newline); a line that is not JSON passes as is. */
export function prettyLine(json: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level).padEnd(5), color: '0' };
  const isRequest = entry.msg === 'request' && 'method' in entry && 'status' in entry;
  const message = isRequest
    ? `${inline(entry.method)} ${inline(entry.path)} ${inline(entry.status)} ${inline(entry.ms)} ms`
    : typeof entry.msg === 'string'
      ? entry.msg
      : '';
  const fields: string[] = [];
  const blocks: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || (isRequest && REQUEST_FIELDS.has(key))) continue;
    const err = value as { stack?: unknown; message?: unknown } | null;
    if (typeof err === 'object' && err !== null && typeof err.stack === 'string') {
      blocks.push(`    ${key}: ${indent(err.stack, '      ')}`);
    } else if (typeof value === 'string' && value.includes('\n')) {
      blocks.push(`    ${key}:\n      ${indent(value, '      ')}`);
    } else {
      fields.push(`${key}=${escapeControl(inline(value))}`);
    }
  }
  const head = `${paint('2', time(entry.time))} ${paint(level.color, level.name)} ${indent(message, '    ')}`;
  const tail = fields.length > 0 ? `  ${paint('2', fields.join(' '))}` : '';
  return `${head}${tail}\n${blocks.map((b) => `${b}\n`).join('')}`;
}

/** A pino destination writing readable lines to `out` (a TTY gets colours unless NO_COLOR is set). */
export function prettyDestination(
  out: { write(s: string): unknown; isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
) {
  const color = out.isTTY === true && env.NO_COLOR === undefined;
  return { write: (line: string) => out.write(prettyLine(line, color)) };
}
