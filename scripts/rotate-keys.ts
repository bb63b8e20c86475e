// npm run keys:rotate — adds a new RS256 signing key to the built-in identity provider. The previous
// key keeps verifying until the tokens it signed have expired; a running server picks the new key
// up within seconds. Reads the same configuration as the server (DATA_DIR, ACCESS_TOKEN_TTL_SECONDS).
import { createIdentity } from '../src/composition.ts';
import { loadConfig, readEnv } from '../src/config/config.ts';
import { ConfigError } from '../src/config/settings.ts';

try {
  const config = loadConfig(readEnv());
  // Rotation sends no mail; the identity is opened with the server's own settings.
  const identity = createIdentity(config, { send: async () => undefined });
  const { kid, retired, deleted } = await identity.rotateKeys();
  await identity.close();
  console.log(`New signing key ${kid} is active.`);
  if (retired.length)
    console.log(`Retired (still verifying for ${config.accessTokenTtl + 60} s): ${retired.join(', ')}`);
  if (deleted.length) console.log(`Removed (expired): ${deleted.join(', ')}`);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
