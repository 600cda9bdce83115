import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { Host } from "./host";

const HostContext = createContext<Host | null>(null);

interface StoreRefresh {
  /** Bumped whenever the store's content changed (e.g. after an import). */
  version: number;
  /** Tells every view that depends on `version` to re-fetch. */
  refresh(): void;
}

const RefreshContext = createContext<StoreRefresh>({ version: 0, refresh: () => {} });

export function HostProvider({ host, children }: { host: Host; children: ReactNode }) {
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const value = useMemo(() => ({ version, refresh }), [version, refresh]);
  return (
    <HostContext.Provider value={host}>
      <RefreshContext.Provider value={value}>{children}</RefreshContext.Provider>
    </HostContext.Provider>
  );
}

/** The Host of the nearest HostProvider. */
export function useHost(): Host {
  const host = useContext(HostContext);
  if (host === null) {
    throw new Error("useHost() must be used inside a <HostProvider>.");
  }
  return host;
}

/** The store's refresh signal: add `version` to the deps of a load to re-fetch after `refresh()`. */
export function useStoreRefresh(): StoreRefresh {
  return useContext(RefreshContext);
}
