// Tether's USDT blacklist before the blocks followed: AddedBlackList, RemovedBlackList and DestroyedBlackFunds of
// the USDT contract from TronGrid's event API (node.base_url must be TronGrid: a plain java-tron node has no /v1
// API). Every event of the window is read (contract-events.ts re-asks until nothing new comes), stored once with the
// window it proved complete, in one transaction, and the tether-frozen list's next version made from them
// (warehouse/tether-events.ts; the follower writes the same events, so running both, or either twice, adds nothing).
// Events that cannot be read are quarantined and counted, the rest still loaded.
import { emptyBatch, type BlacklistEvent, type QuarantineRow } from "../model/rows.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";
import { BLACKLIST_EVENT_NAMES, blacklistFromEvent } from "../normalize/blacklist.ts";
import { contractEvents } from "../source/node/contract-events.ts";
import type { NodeClient } from "../source/node/client.ts";
import { applyBlacklist } from "../warehouse/tether-events.ts";
import { labelled, prepared, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { VersionResult } from "../warehouse/risk-lists.ts";

export type BackfillResult = {
  fromMs: number;
  toMs: number;
  seen: number;
  stored: number;
  quarantined: number;
  requests: number;
  passes: number;
  version: VersionResult | null;
};

const COLUMNS = ["run_at_ms", "from_ms", "to_ms", "events_seen", "events_new", "requests", "source"];

export async function backfillFreezes(a: {
  client: NodeClient;
  warehouse: Warehouse;
  fromMs: number;
  toMs: number;
  nowMs: number;
  runId: string;
  signal?: AbortSignal;
}): Promise<BackfillResult> {
  const events: BlacklistEvent[] = [];
  const quarantined: QuarantineRow[] = [];
  let requests = 0;
  let passes = 0;
  for (const [kind, eventName] of Object.entries(BLACKLIST_EVENT_NAMES) as [BlacklistEvent["kind"], string][]) {
    const got = await contractEvents(
      a.client,
      { contract: USDT_CONTRACT, eventName, minMs: a.fromMs, maxMs: a.toMs },
      a.signal,
    );
    requests += got.requests;
    passes += got.passes;
    for (const raw of got.events) {
      const e = blacklistFromEvent(kind, raw);
      if (e) events.push(e);
      else
        quarantined.push({
          endpoint: "unknown",
          reason: `unreadable ${eventName} event`,
          record: raw,
          observedAtMs: a.nowMs,
        });
    }
  }
  if (quarantined.length) await a.warehouse.load({ batch: { ...emptyBatch(), quarantined }, runId: a.runId });
  const d = a.warehouse.dialect;
  const { version, stored } = await a.warehouse.transaction(async (q) => {
    const before = await q<{ n: unknown }>(labelled("tether.count", sql`SELECT count(*) AS n FROM tether_events`));
    const version = await applyBlacklist(d, q, events, a.nowMs, "TronGrid /v1/contracts/{USDT}/events");
    const after = await q<{ n: unknown }>(labelled("tether.count", sql`SELECT count(*) AS n FROM tether_events`));
    const stored = Number(after[0].n) - Number(before[0].n);
    const text = d.insertMissingSql("tether_backfills", COLUMNS, ["run_at_ms"], 1);
    const params = [a.nowMs, a.fromMs, a.toMs, events.length, stored, requests, "trongrid"];
    await q(labelled("tether.backfill", prepared(text, params)));
    return { version, stored };
  });
  return {
    fromMs: a.fromMs,
    toMs: a.toMs,
    seen: events.length,
    stored,
    quarantined: quarantined.length,
    requests,
    passes,
    version,
  };
}
