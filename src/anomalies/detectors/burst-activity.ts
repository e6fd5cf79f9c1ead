// A wallet whose successful transactions in the 24 h before now exceed `factor` × its daily average over the
// 7 days before that; one anomaly per burst (not one per cycle while it lasts); only for wallets whose stored
// history covers those 7 days (a wallet just added has no average yet). Counts come from the daily rollup
// (whole days) and the base tables (the windows' partial days): detection refreshes the rollup first.
import { isoUtc } from "../../model/columns.ts";
import { DAY_MS } from "../../model/time.ts";
import { txPerWalletSql } from "../../warehouse/activity/rollup.ts";
import { labelled, sql } from "../../warehouse/sql.ts";
import { anomalyId, type Detector, num } from "../detector.ts";

export const burstActivity: Detector = {
  type: "burst_activity",
  scoresNewTransfers: false,
  query: ({ nowMs, settings, wallets }) => {
    const p = settings.burst_activity;
    const h24 = nowMs - DAY_MS;
    // the wallet's stored history must reach into the first of the 7 days: one just added has no average yet
    const since = h24 - 6 * DAY_MS;
    return labelled(
      "anomalies.burst_activity",
      sql`SELECT r.wallet, r.tx AS last_24h, coalesce(b.tx, 0) AS previous_7d
      FROM (${txPerWalletSql(h24, nowMs, wallets)}) r
        LEFT JOIN (${txPerWalletSql(h24 - 7 * DAY_MS, h24, wallets)}) b ON b.wallet = r.wallet
      WHERE r.wallet IN (SELECT wallet FROM wallet_daily WHERE bucket = '*' GROUP BY wallet HAVING min(first_ms) < ${since})
        AND r.wallet NOT IN (SELECT wallet FROM anomalies WHERE anomaly_type = 'burst_activity' AND detected_at_ms >
          ${h24})
        AND r.tx >= ${p.min_count} AND r.tx * 7.0 > ${p.factor} * coalesce(b.tx, 0)`,
    );
  },
  toAnomaly: (r, { nowMs, settings }) => {
    const p = settings.burst_activity;
    const avg = num(r.previous_7d) / 7;
    return {
      anomalyId: anomalyId("burst_activity", String(r.wallet), String(nowMs)),
      anomalyType: "burst_activity",
      severity: "warning",
      wallet: String(r.wallet),
      transactionId: null,
      transferId: null,
      tokenId: null,
      tokenSymbol: null,
      amount: null,
      amountRaw: null,
      occurredAtMs: nowMs,
      reason:
        `${r.last_24h} transactions in the 24 hours before ${isoUtc(nowMs)}, more than ${p.factor} × the daily ` +
        `average of ${avg.toFixed(1)} over the 7 days before.`,
      details: { last_24h: num(r.last_24h), previous_7d: num(r.previous_7d), factor: p.factor },
    };
  },
};
