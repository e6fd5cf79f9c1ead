// A first transfer (out, in or either, by setting) with an address this wallet never had a non-spam transfer
// with, above the minimum amount of its token; spam itself is never one (spam_token reports it). It adapts to the
// wallet: where new addresses are routine (new counterparties above routine_rate of its transactions over the
// trailing window, with min_history transactions), only a first transfer far above the wallet's average transfer of
// that token (routine_factor times) is a finding. Rates by UTC day, from the rollup and `counterparties`.
import { DAY_MS, SUMMABLE, utcDaySql } from "../../model/time.ts";
import { walletTransfers } from "../../warehouse/activity/wallet-side.ts";
import { labelled, list, raw, sql } from "../../warehouse/sql.ts";
import { amountOf, type Detector, ofTransfer, tokenOf } from "../detector.ts";
import { aboveMinimum, candidates, pairsOf, SPAM } from "../fragments.ts";

const day = (col: string) => raw(utcDaySql(col));

export const newCounterparty: Detector = {
  type: "new_counterparty",
  scoresNewTransfers: true,
  query: (ctx) => {
    const p = ctx.settings.new_counterparty;
    const dirs = list(p.direction === "any" ? ["in", "out"] : [p.direction]);
    const span = raw(String((p.window_days - 1) * DAY_MS));
    // the wallets' transfers from the window before the oldest new row on: the average transfer of each token
    const recentOk = sql`t.status = 'success' AND t.timestamp_ms >= ${ctx.fresh.minMs - p.window_days * DAY_MS}`;
    const inWindow = (alias: string) =>
      sql`${raw(alias)}.wallet = h.wallet AND ${raw(alias)}.day_ms BETWEEN h.day_ms - ${span} AND h.day_ms`;
    return labelled(
      "anomalies.new_counterparty",
      sql`WITH c AS (${candidates(ctx.d, ctx.watermarkMs, ctx.known, [], ctx.wallets)}),
      seen AS (
        SELECT p.wallet, p.counterparty, p.first_ms FROM counterparties p
        WHERE (p.wallet, p.counterparty) IN (SELECT wallet, counterparty FROM c WHERE direction IN (${dirs}))
        UNION ALL SELECT wallet, counterparty, first_ms FROM (${pairsOf()})
      ),
      first_seen AS (SELECT wallet, counterparty, min(first_ms) AS first_ms FROM seen GROUP BY wallet, counterparty),
      h AS (
        SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.amount, c.amount_raw,
          c.amount_num, c.timestamp_ms, c.confirmed, c.counterparty, c.direction, ${day("c.timestamp_ms")} AS day_ms
        FROM c LEFT JOIN first_seen f ON f.wallet = c.wallet AND f.counterparty = c.counterparty
        WHERE c.direction IN (${dirs}) AND (f.first_ms IS NULL OR f.first_ms >= c.timestamp_ms)
          AND ${aboveMinimum("c", p.min_amount, ctx.decimals)}
          AND NOT ${SPAM}
      ),
      pairs AS (
        SELECT wallet, counterparty, min(first_ms) AS first_ms FROM (
          SELECT p.wallet, p.counterparty, p.first_ms FROM counterparties p WHERE p.wallet IN (SELECT wallet FROM h)
          UNION ALL SELECT wallet, counterparty, first_ms FROM (${pairsOf()})
        ) x GROUP BY wallet, counterparty
      ),
      novel_days AS (SELECT wallet, ${day("first_ms")} AS day_ms, count(*) AS novel FROM pairs GROUP BY 1, 2),
      nov AS (SELECT h.wallet, h.transfer_id, sum(n.novel) AS novel FROM h JOIN novel_days n ON ${inWindow("n")}
        GROUP BY h.wallet, h.transfer_id),
      act AS (SELECT h.wallet, h.transfer_id, sum(COALESCE(d.tx_in, 0) + COALESCE(d.tx_out, 0)) AS txs
        FROM h JOIN wallet_daily d ON ${inWindow("d")} AND d.bucket = '*' GROUP BY h.wallet, h.transfer_id),
      tok_days AS (
        SELECT m.wallet, m.token_id, ${day("m.timestamp_ms")} AS day_ms, count(*) AS n, sum(m.amount_num) AS vol
        FROM (${walletTransfers({ select: raw("t.token_id, t.timestamp_ms, t.amount_num, t.amount_raw"), where: recentOk })}) m
        WHERE m.wallet IN (SELECT wallet FROM h) AND ${raw(SUMMABLE.replace("amount_raw", "m.amount_raw"))}
        GROUP BY 1, 2, 3
      ),
      tok AS (SELECT h.wallet, h.transfer_id, sum(d.vol) AS vol, sum(d.n) AS n
        FROM h JOIN tok_days d ON ${inWindow("d")} AND d.token_id = h.token_id GROUP BY h.wallet, h.transfer_id)
      SELECT h.wallet, h.transfer_id, h.transaction_id, h.token_id, h.token_symbol, h.amount, h.amount_raw,
        h.timestamp_ms, h.confirmed, h.counterparty, h.direction,
        COALESCE(nov.novel, 0) AS novel, COALESCE(act.txs, 0) AS txs,
        CAST(tok.vol AS DOUBLE) / NULLIF(tok.n, 0) AS average_raw,
        COALESCE(act.txs, 0) >= ${p.min_history} AND COALESCE(nov.novel, 0) > ${p.routine_rate} * act.txs AS routine
      FROM h LEFT JOIN nov ON nov.wallet = h.wallet AND nov.transfer_id = h.transfer_id
        LEFT JOIN act ON act.wallet = h.wallet AND act.transfer_id = h.transfer_id
        LEFT JOIN tok ON tok.wallet = h.wallet AND tok.transfer_id = h.transfer_id
      WHERE NOT (COALESCE(act.txs, 0) >= ${p.min_history} AND COALESCE(nov.novel, 0) > ${p.routine_rate} * act.txs)
        OR (tok.n > 0 AND CAST(h.amount_num AS DOUBLE) * tok.n > ${p.routine_factor} * CAST(tok.vol AS DOUBLE))`,
    );
  },
  toAnomaly: (r, ctx) => {
    const p = ctx.settings.new_counterparty;
    const first =
      r.direction === "in"
        ? `Received ${amountOf(r)} ${tokenOf(r)} from ${r.counterparty}, an address this wallet never sent to or received from before`
        : `Sent ${amountOf(r)} ${tokenOf(r)} to ${r.counterparty}, an address this wallet never sent to or received from before`;
    const rate = Number(r.txs) ? Math.round((Number(r.novel) / Number(r.txs)) * 100) : 0;
    const why = r.routine
      ? `; new addresses are routine for it (${rate}% of its ${r.txs} transactions over ${p.window_days} days), but this is over ${p.routine_factor} × its average ${tokenOf(r)} transfer.`
      : ".";
    return {
      ...ofTransfer("new_counterparty", r),
      severity: "info",
      reason: first + why,
      details: {
        counterparty: r.counterparty,
        direction: r.direction,
        routine: Boolean(r.routine),
        novel: Number(r.novel),
        transactions: Number(r.txs),
      },
    };
  },
};
