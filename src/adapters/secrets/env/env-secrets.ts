/**
 * Secrets from the environment (and `.env`, which config loading has already merged into it), the
 * embedded default. Values are copied once at creation, as the port promises ("read once at
 * start"), so a later change to the environment cannot swap a key under a running process. An
 * empty value counts as unset: `FOO=` in a `.env` file must not become an empty signing secret.
 */
import type { Secrets } from '../../../ports/secrets.ts';

export function createEnvSecrets(env: Record<string, string | undefined>): Secrets {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') values.set(name, value);
  }
  return {
    async get(name) {
      return values.get(name);
    },
  };
}
