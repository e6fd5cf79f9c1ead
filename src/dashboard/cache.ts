// Heavy reads are cached until the data changes (a load commits cursors, evaluation touches alerts, detection
// adds anomalies) or for 60 s at most (their windows move with the clock).
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 500;

export function pageCache(version: () => Promise<string>) {
  const cache = new Map<string, { version: string; at: number; body: unknown }>();
  const remember = async (key: string, compute: () => Promise<unknown>) => {
    const v = await version();
    const hit = cache.get(key);
    if (hit && hit.version === v && Date.now() - hit.at < MAX_AGE_MS) return hit.body;
    const body = await compute();
    if (cache.size > MAX_ENTRIES) cache.clear();
    cache.set(key, { version: v, at: Date.now(), body });
    return body;
  };
  /** The cache key of a request: its path and sorted query (the access token left out). */
  const keyOf = (path: string, query: Record<string, unknown>) =>
    `${path}?${new URLSearchParams(
      Object.entries(query)
        .map(([k, v]) => [k, String(v)])
        .sort(),
    ).toString()}`;
  return { remember, keyOf, clear: () => cache.clear() };
}
