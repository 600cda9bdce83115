import { useEffect, useState, type DependencyList } from "react";
import { HostError, toHostError } from "./ipc/host";

export type AsyncState<T> =
  | { status: "loading" }
  | { status: "ok"; data: T }
  | { status: "error"; error: HostError };

/**
 * Runs `load` whenever `deps` change and tracks its outcome.
 * Answers that arrive after the deps changed (or after unmount) are dropped.
 */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });

  useEffect(() => {
    let current = true;
    setState({ status: "loading" });
    load().then(
      (data) => {
        if (current) setState({ status: "ok", data });
      },
      (error: unknown) => {
        if (current) setState({ status: "error", error: toHostError(error) });
      },
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return state;
}
