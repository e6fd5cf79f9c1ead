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
import { applyBackfill } from "../warehouse/tether-events.ts";
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
  const { version, stored } = await a.warehouse.transaction((q) =>
    applyBackfill(a.warehouse.dialect, q, events, { fromMs: a.fromMs, toMs: a.toMs, nowMs: a.nowMs, requests }),
  );
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
