import { useEffect, useRef, useState } from "react";
import type { EventHistogramDto } from "../../lib/bindings/EventHistogramDto";
import { toHostError, type EventFilterQuery, type Host, type HostError } from "../../lib/ipc/host";

export interface Histogram {
  /** The newest answer, kept while a newer one loads so that the chart does not flicker. */
  data: EventHistogramDto | null;
  /** An answer for `key` is still on its way. */
  loading: boolean;
  error: HostError | null;
}

/**
 * The event histogram for `filter` (its `from`/`to` are not read by the host), fetched again
 * whenever `key` changes; answers to an older key are dropped.
 */
export function useHistogram(host: Host, filter: EventFilterQuery, key: string): Histogram {
  const [state, setState] = useState<{ key: string | null; data: EventHistogramDto | null; error: HostError | null }>(
    { key: null, data: null, error: null },
  );
  const filterRef = useRef(filter);
  filterRef.current = filter;

  useEffect(() => {
    let current = true;
    host.eventHistogram(filterRef.current).then(
      (data) => {
        if (current) setState({ key, data, error: null });
      },
      (error: unknown) => {
        if (current) setState((s) => ({ key, data: s.data, error: toHostError(error) }));
      },
    );
    return () => {
      current = false;
    };
  }, [host, key]);

  return {
    data: state.data,
    loading: state.key !== key,
    error: state.key === key ? state.error : null,
  };
}
