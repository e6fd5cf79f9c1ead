// Unconfirmed transactions that stay unconfirmed past pending_max_age_hours are looked up by hash
// (/api/transaction-info): confirmed (with their final result), or `dropped` when TronScan no longer knows
// them (they never made it into a block and moved nothing). Rules, metrics and anomalies count only
// `success`, so a dropped transaction stops counting the moment it is settled.
import { statusOf } from "../normalize/common.ts";
import { oldPending, settle } from "../warehouse/pending.ts";
import type { Warehouse } from "../warehouse/types.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";

export type SettleCounts = { checked: number; confirmed: number; failed: number; dropped: number; pending: number };

/** Look-ups per cycle at most: a backlog is worked off over several cycles. */
export const SETTLE_PER_CYCLE = 50;

export async function settlePending(args: {
  warehouse: Warehouse;
  client: TronscanClient;
  nowMs: number;
  pendingMaxAgeMs: number;
  signal?: AbortSignal;
  max?: number;
}): Promise<SettleCounts> {
  const { warehouse: w } = args;
  const before = args.nowMs - args.pendingMaxAgeMs;
  const rows = await oldPending(w, before, args.max ?? SETTLE_PER_CYCLE);
  const counts: SettleCounts = { checked: 0, confirmed: 0, failed: 0, dropped: 0, pending: 0 };
  for (const r of rows) {
    args.signal?.throwIfAborted();
    const res = await args.client.get("/api/transaction-info", { hash: r.hash }, args.signal);
    counts.checked++;
    const info = (res.body ?? {}) as Record<string, unknown>;
    const known = typeof info.hash === "string" || info.block !== undefined || info.contractRet !== undefined;
    let status: string;
    let confirmed: boolean;
    if (!known) {
      status = "dropped";
      confirmed = false;
      counts.dropped++;
    } else if (info.confirmed === true || info.confirmed === 1 || Number(info.confirmations ?? 0) >= 19) {
      status = statusOf({
        contractRet: typeof info.contractRet === "string" ? info.contractRet : null,
        revert: info.revert === true,
      });
      confirmed = true;
      if (status === "success") counts.confirmed++;
      else counts.failed++;
    } else {
      counts.pending++;
      continue; // known and still unconfirmed: asked again next cycle
    }
    await settle(w, r, { status, confirmed });
  }
  return counts;
}
