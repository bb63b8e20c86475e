/**
 * Who is signed in, from GET /api/session (200 with `user: null` when nobody is, so a signed-out
 * page logs no error); refreshed after sign-in, profile changes and sign-out.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, type Me } from './api.ts';

interface Auth {
  /** undefined while the first answer is on its way; null when signed out. */
  readonly user: Me | null | undefined;
  refresh(): Promise<Me | null>;
  setUser(user: Me | null): void;
}

const AuthContext = createContext<Auth>({
  user: undefined,
  refresh: async () => null,
  setUser: () => undefined,
});

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      const { user: me } = await api.session();
      setUser(me);
      return me;
    } catch {
      // The server cannot be reached: nothing can be shown as signed in.
      setUser(null);
      return null;
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <AuthContext.Provider value={{ user, refresh, setUser }}>{children}</AuthContext.Provider>;
}

export const useAuth = () => useContext(AuthContext);
