// Prints the README's configuration table from src/config/settings.ts: `npx tsx scripts/config-table.ts`.
import { settings } from '../src/config/settings.ts';

const rows = Object.values(settings).map(
  (s) => `| \`${s.name}\` | ${s.default ? `\`${s.default}\`` : '(empty)'} | ${s.doc.replace(/\|/g, '\\|')} |`,
);
console.log(['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n'));
