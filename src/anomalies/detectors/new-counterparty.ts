// A first transfer (out, in or either, by setting) with an address this wallet never had a non-spam transfer
// with, above the minimum amount of its token; spam itself is never one (spam_token reports it).
import { labelled, list, sql } from "../../warehouse/sql.ts";
import { amountOf, type Detector, ofTransfer, tokenOf } from "../detector.ts";
import { aboveMinimum, candidates, pairsOf, SPAM } from "../fragments.ts";

export const newCounterparty: Detector = {
  type: "new_counterparty",
  scoresNewTransfers: true,
  query: (ctx) => {
    const p = ctx.settings.new_counterparty;
    const dirs = list(p.direction === "any" ? ["in", "out"] : [p.direction]);
    return labelled(
      "anomalies.new_counterparty",
      sql`WITH c AS (${candidates(ctx.d, ctx.watermarkMs, ctx.known, [], ctx.wallets)}),
      seen AS (
        SELECT p.wallet, p.counterparty, p.first_ms FROM counterparties p
        WHERE (p.wallet, p.counterparty) IN (SELECT wallet, counterparty FROM c WHERE direction IN (${dirs}))
        UNION ALL SELECT wallet, counterparty, first_ms FROM (${pairsOf()})
      ),
      first_seen AS (SELECT wallet, counterparty, min(first_ms) AS first_ms FROM seen GROUP BY wallet, counterparty)
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.amount, c.amount_raw,
        c.timestamp_ms, c.confirmed, c.counterparty, c.direction
      FROM c LEFT JOIN first_seen f ON f.wallet = c.wallet AND f.counterparty = c.counterparty
      WHERE c.direction IN (${dirs}) AND (f.first_ms IS NULL OR f.first_ms >= c.timestamp_ms)
        AND ${aboveMinimum("c", p.min_amount, ctx.decimals)}
        AND NOT ${SPAM}`,
    );
  },
  toAnomaly: (r) => ({
    ...ofTransfer("new_counterparty", r),
    severity: "info",
    reason:
      r.direction === "in"
        ? `Received ${amountOf(r)} ${tokenOf(r)} from ${r.counterparty}, an address this wallet never sent to or ` +
          "received from before."
        : `Sent ${amountOf(r)} ${tokenOf(r)} to ${r.counterparty}, an address this wallet never sent to or ` +
          "received from before.",
    details: { counterparty: r.counterparty, direction: r.direction },
  }),
};
