import { useCallback, useEffect, useRef, useState } from "react";
import type { EventDto } from "../../lib/bindings/EventDto";
import type { EventQueryDto } from "../../lib/bindings/EventQueryDto";
import { toHostError, type Host, type HostError } from "../../lib/ipc/host";

/** Events per `searchEvents` call. */
export const PAGE_SIZE = 200;
/** How many answers the running p95 covers. */
export const LATENCY_WINDOW = 50;

export type EventFilter = Omit<EventQueryDto, "offset" | "limit">;

interface Cache {
  key: string;
  total: number | null;
  /** `total` is a lower bound: the backend stopped counting there. */
  capped: boolean;
  pages: ReadonlyMap<number, EventDto[]>;
  error: HostError | null;
}

export interface EventPages {
  /** `null` until the first page of the current query answered; a lower bound while `totalCapped`. */
  total: number | null;
  /** More events match than `total`; it grows as pages further down answer. */
  totalCapped: boolean;
  error: HostError | null;
  /** The event at `index`, `undefined` while its page is loading. */
  eventAt(index: number): EventDto | undefined;
  /** elapsed_ms of the newest answer. */
  lastElapsedMs: number | null;
  /** p95 of the last {@link LATENCY_WINDOW} answers' elapsed_ms. */
  p95ElapsedMs: number | null;
}

/** Nearest-rank 95th percentile. */
export function p95(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1]!;
}

function emptyCache(key: string): Cache {
  return { key, total: null, capped: false, pages: new Map(), error: null };
}

/**
 * The total after an answer: an exact count wins; lower bounds (counted only so far past each
 * page's offset) only ever raise it, so the list extends as pages further down load.
 */
export function mergeTotal(
  known: Pick<Cache, "total" | "capped">,
  total: number,
  capped: boolean,
): Pick<Cache, "total" | "capped"> {
  if (known.total !== null && !known.capped) return known;
  if (!capped) return { total, capped: false };
  return { total: Math.max(known.total ?? 0, total), capped: true };
}

/**
 * Pages of the event timeline for `filter`, fetched by offset when rows
 * `first..last` need them and cached per query. Answers to a query that is no
 * longer current are dropped.
 */
export function useEventPages(
  host: Host,
  filter: EventFilter,
  key: string,
  first: number,
  last: number,
): EventPages {
  const [cache, setCache] = useState<Cache>(() => emptyCache(key));
  const [latencies, setLatencies] = useState<number[]>([]);
  const currentKey = useRef(key);
  const inflight = useRef(new Set<string>());
  currentKey.current = key;

  // A new query starts from an empty cache.
  const current: Cache = cache.key === key ? cache : emptyCache(key);
  useEffect(() => {
    if (cache.key !== key) setCache(emptyCache(key));
  }, [cache.key, key]);

  const filterRef = useRef(filter);
  filterRef.current = filter;

  const fetchPage = useCallback(
    (page: number) => {
      const tag = `${key}\u0000${page}`;
      if (inflight.current.has(tag)) return;
      inflight.current.add(tag);
      host.searchEvents({ ...filterRef.current, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then(
        (answer) => {
          inflight.current.delete(tag);
          if (currentKey.current !== key) return; // stale: the query changed meanwhile
          setLatencies((l) => [...l, answer.elapsed_ms].slice(-LATENCY_WINDOW));
          setCache((c) => {
            const base = c.key === key ? c : emptyCache(key);
            const pages = new Map(base.pages);
            pages.set(page, answer.events);
            return { ...base, ...mergeTotal(base, answer.total, answer.total_capped), pages };
          });
        },
        (error: unknown) => {
          inflight.current.delete(tag);
          if (currentKey.current !== key) return;
          setCache((c) => ({
            ...(c.key === key ? c : emptyCache(key)),
            error: toHostError(error),
          }));
        },
      );
    },
    [host, key],
  );

  const total = current.total;
  const firstPage = Math.floor(Math.max(0, first) / PAGE_SIZE);
  const lastIndex = total === null ? 0 : Math.min(last, total - 1);
  const lastPage = Math.floor(Math.max(0, lastIndex) / PAGE_SIZE);
  const hasError = current.error !== null;
  useEffect(() => {
    if (hasError) return;
    if (total === null) {
      fetchPage(0);
      return;
    }
    for (let page = firstPage; page <= lastPage; page += 1) {
      if (page * PAGE_SIZE < total && !current.pages.has(page)) fetchPage(page);
    }
  }, [fetchPage, firstPage, lastPage, total, current.pages, hasError]);

  return {
    total,
    totalCapped: current.capped,
    error: current.error,
    eventAt: (index) => current.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    lastElapsedMs: latencies.length === 0 ? null : latencies[latencies.length - 1]!,
    p95ElapsedMs: p95(latencies),
  };
}
