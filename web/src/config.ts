/**
 * The server's settings the app follows (GET /api/client-config): the password policy, the
 * service name the policy keeps out of passwords, and whether the dev mailbox is served here.
 * Fetched once, at start, next to the session; pages read it through useClientConfig.
 */
import { useEffect, useState } from 'react';
import { api, type ClientConfig } from './api.ts';

let loaded: ClientConfig | null = null;
let pending: Promise<ClientConfig | null> | null = null;

export function loadClientConfig(): Promise<ClientConfig | null> {
  pending ??= api.clientConfig().then(
    (c) => {
      loaded = c;
      return c;
    },
    () => {
      // Unreachable now: the fields still work, the server stays the judge; ask again next time.
      pending = null;
      return null;
    },
  );
  return pending;
}

/** null until the first answer (fields are then judged by the server alone). */
export function useClientConfig(): ClientConfig | null {
  const [config, setConfig] = useState(loaded);
  useEffect(() => {
    // `config`, not `loaded`: the answer may have come between this render and this effect, and
    // then only this update shows it (a page once stayed without the rules for good that way).
    if (config) return;
    let live = true;
    void loadClientConfig().then((c) => live && setConfig(c));
    return () => {
      live = false;
    };
  }, [config]);
  return config;
}
