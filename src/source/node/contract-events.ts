// TronGrid's contract events (`GET /v1/contracts/{contract}/events`), oldest first, with `fingerprint` paging.
// Its paging is known to stop early at times (a full page without a fingerprint before the end): so a chain of
// pages that ends on a full page is asked again from the newest timestamp seen; only a short page ends the window.
// Events are told apart by transaction, event index, name and result.
import { isObj } from "../../internal/json.ts";
import type { NodeClient } from "./client.ts";

export type EventQuery = {
  contract: string;
  eventName: string;
  minMs: number;
  /** Inclusive. */
  maxMs: number;
  pageSize?: number;
};

const idOf = (e: unknown) =>
  isObj(e)
    ? `${String(e.transaction_id)}|${String(e.event_index)}|${String(e.event_name)}|${JSON.stringify(e.result)}`
    : JSON.stringify(e);

function pageOf(body: unknown, path: string): { data: unknown[]; fingerprint: string | null } {
  if (!isObj(body) || !Array.isArray(body.data))
    throw new Error(`TronGrid ${path}: the answer has no data array (${JSON.stringify(body).slice(0, 120)})`);
  const meta = isObj(body.meta) ? body.meta : {};
  const fp = typeof meta.fingerprint === "string" && meta.fingerprint ? meta.fingerprint : null;
  return { data: body.data, fingerprint: fp };
}

const timeOf = (e: unknown) => (isObj(e) ? Number(e.block_timestamp) : Number.NaN);

/** Every event of one name in [minMs, maxMs], each once; `requests`: pages asked for (retries not counted). */
export async function contractEvents(
  client: NodeClient,
  q: EventQuery,
  signal?: AbortSignal,
): Promise<{ events: unknown[]; requests: number; passes: number }> {
  const seen = new Map<string, unknown>();
  let from = q.minMs;
  let requests = 0;
  let passes = 0;
  const limit = q.pageSize ?? 200;
  for (;;) {
    passes++;
    let fresh = 0;
    let fingerprint: string | null = null;
    let last = 0;
    do {
      const params = new URLSearchParams({
        event_name: q.eventName,
        only_confirmed: "true",
        order_by: "block_timestamp,asc",
        min_block_timestamp: String(from),
        max_block_timestamp: String(q.maxMs),
        limit: String(limit),
      });
      if (fingerprint) params.set("fingerprint", fingerprint);
      const path = `/v1/contracts/${q.contract}/events?${params}`;
      requests++;
      const page = pageOf(await client.get(path, signal), path);
      for (const e of page.data) {
        const id = idOf(e);
        if (seen.has(id)) continue;
        seen.set(id, e);
        fresh++;
      }
      last = page.data.length;
      fingerprint = page.data.length ? page.fingerprint : null;
    } while (fingerprint);
    // a short last page: the server ran out, the window is complete. A full one without a fingerprint may be an
    // early stop: ask again from the newest time seen (past it when that pass brought nothing new — more than
    // `limit` events in one block's millisecond would be needed to lose one there).
    if (last < limit) break;
    const newest = Math.max(from, ...[...seen.values()].map(timeOf).filter(Number.isFinite));
    const next = fresh ? newest : newest + 1;
    if (next > q.maxMs) break;
    from = Math.max(from + (fresh ? 0 : 1), next);
  }
  return { events: [...seen.values()], requests, passes };
}
