/**
 * `npm run build`'s schema step (scripts/build.mjs runs it with tsx): starts the app once on a
 * throw-away DATA_DIR with the default settings and Fastify's standalone compilers in write mode,
 * and writes the code of every route validator (Ajv standalone) and serializer (fast-json-stringify
 * standalone) into dist/route-schemas/, which http/route-schemas.ts reads: a server loads each
 * one on the route's first use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from './app.ts';
import { compose } from './composition.ts';
import { loadConfig } from './config/config.ts';
import { assetPath } from './config/paths.ts';
import { createLogger } from './http/plugins/request-log.ts';
import { ROUTE_SCHEMAS_DIR, writeCompiledSchemas, writingCompilers } from './http/route-schemas.ts';

const writing = writingCompilers();
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-schemas-'));
try {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const logger = createLogger('warn', 'json');
  const composition = await compose(config, logger, {});
  const app = await buildApp({
    deps: composition.deps,
    logger,
    compilersFactory: writing.compilersFactory,
  });
  await app.ready();
  await app.close();
  await composition.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

writeCompiledSchemas(assetPath(ROUTE_SCHEMAS_DIR), writing);
if (writing.validators.size === 0 || writing.serializers.size === 0)
  throw new Error('the app compiled no route schemas');
