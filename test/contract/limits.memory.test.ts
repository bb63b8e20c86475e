/** The limits contract against the in-memory adapter (one machine, one server per DATA_DIR). */
import { createMemoryLimits } from '../../src/adapters/limits/memory/memory-limits.ts';
import { limitsContract } from './limits.contract.ts';

limitsContract('in memory', async () => ({
  make: (clock) => createMemoryLimits({ clock }),
  shared: false,
  cleanup: async () => undefined,
}));
