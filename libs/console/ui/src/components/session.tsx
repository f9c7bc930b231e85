import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { ConsoleClient } from '../api/console-client';

const KEY = 'strata.console.credential';

interface Session {
  credential: string | undefined;
  client: ConsoleClient;
  login(credential: string): void;
  logout(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

/**
 * The user's session: their own credential (API key or OIDC token), kept in this tab's
 * sessionStorage only, and the client that sends it with every call through the console.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [credential, setCredential] = useState<string | undefined>(() => sessionStorage.getItem(KEY) ?? undefined);
  const value = useMemo<Session>(
    () => ({
      credential,
      client: new ConsoleClient({ credential }),
      login: (c: string) => {
        sessionStorage.setItem(KEY, c);
        setCredential(c);
      },
      logout: () => {
        sessionStorage.removeItem(KEY);
        setCredential(undefined);
      },
    }),
    [credential],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
