// A transfer far above the same wallet's transfers of the same token and direction in the lookback before it:
// amount > median + sigmas × standard deviation, over at least `min_sample` earlier transfers.
import { DAY_MS, utcDay } from "../../model/time.ts";
import { labelled, raw, type Sql, sql } from "../../warehouse/sql.ts";
import { type DetectContext, type Detector, num, ofTransfer, type Row, tokenOf } from "../detector.ts";
import { aboveMinimum, candidates } from "../fragments.ts";

/** A DOUBLE statistic of raw units, shown in token units (approximate: statistics, not money). */
const scaledStat = (v: number, decimals: number | null) =>
  (decimals ? v / 10 ** decimals : v).toLocaleString("en-US", { maximumFractionDigits: 6 });

/**
 * The watched wallets' successful in/out amounts from a time on, from `wallet_history` (warehouse/activity/rollup.ts, refreshed
 * before detection): narrow rows written day by day, so the range reads only its days.
 */
const amountHistory = (fromMs: number): Sql =>
  sql`SELECT wallet, token_id, direction, timestamp_ms, transfer_id, amount_num FROM wallet_history
    WHERE day_ms >= ${utcDay(fromMs)} AND timestamp_ms >= ${fromMs} AND status = 'success' AND is_transfer = 1
      AND direction IN ('in', 'out') AND amount_num IS NOT NULL`;

function parts(ctx: DetectContext) {
  const p = ctx.settings.large_transaction;
  const c = candidates(
    ctx.d,
    ctx.watermarkMs,
    ctx.known,
    [sql`a.direction IN ('in', 'out') AND a.amount_num IS NOT NULL`, aboveMinimum("a", p.min_amount, ctx.decimals)],
    ctx.wallets,
  );
  return {
    p,
    c,
    history: amountHistory(ctx.fresh.minMs - p.lookback_days * DAY_MS),
    lookback: raw(String(p.lookback_days * DAY_MS)),
  };
}

/**
 * Each new transfer against its history (strictly earlier, at most `lookback_days` before): a range join for
 * the new rows only, so the cost grows with new rows × their keys' recent history, not with the history.
 */
export function rangeJoinSql(ctx: DetectContext): Sql {
  const { p, c, history, lookback } = parts(ctx);
  // at most two wallet sides per new transfer: the LIMIT never cuts, and tells the planner c is the small side
  return sql`WITH c AS (SELECT * FROM (${c}) c0 LIMIT ${2 * ctx.fresh.rows}),
      stats AS (
        SELECT c.transfer_id, c.wallet, count(*) AS sample, median(CAST(h.amount_num AS DOUBLE)) AS median,
          stddev_samp(CAST(h.amount_num AS DOUBLE)) AS stddev
        FROM c JOIN (${history}) h ON h.wallet = c.wallet AND h.token_id = c.token_id AND h.direction = c.direction
          AND h.timestamp_ms < c.timestamp_ms AND h.timestamp_ms >= c.timestamp_ms - ${lookback}
        GROUP BY c.transfer_id, c.wallet
      )
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_decimals, c.amount,
        c.amount_raw, c.timestamp_ms, c.confirmed, c.direction, s.sample, s.median, s.stddev
      FROM c JOIN stats s ON s.transfer_id = c.transfer_id AND s.wallet = c.wallet
      WHERE s.sample >= ${p.min_sample} AND CAST(c.amount_num AS DOUBLE) > s.median + ${p.sigmas} *
        coalesce(s.stddev, 0)`;
}

/**
 * The same test as a window over the keys' whole scope: cheaper than the range join when most rows are new
 * (a first detection or a full re-score), where the join would pair every row with its history. The window
 * carries only the key, time and amount (a narrow sort); rows with the same key, time and amount have the same
 * frame and so the same outcome, so the few rows that fire are joined to the candidates (the new rows) on those.
 * A first detection scores everything: no key filter then.
 */
export function windowSql(ctx: DetectContext): Sql {
  const { p, c, history, lookback } = parts(ctx);
  const ofKeys =
    ctx.watermarkMs < 0
      ? raw("")
      : sql`JOIN (SELECT DISTINCT wallet, token_id, direction FROM c) k
          ON k.wallet = a.wallet AND k.token_id = a.token_id AND k.direction = a.direction`;
  return sql`WITH c AS (${c}),
      stats AS (
        SELECT a.wallet, a.token_id, a.direction, a.timestamp_ms, CAST(a.amount_num AS DOUBLE) AS x,
          count(*) OVER w AS sample, median(CAST(a.amount_num AS DOUBLE)) OVER w AS median,
          stddev_samp(CAST(a.amount_num AS DOUBLE)) OVER w AS stddev
        FROM (${history}) a ${ofKeys}
        WINDOW w AS (PARTITION BY a.wallet, a.token_id, a.direction ORDER BY a.timestamp_ms
          RANGE BETWEEN ${lookback} PRECEDING AND 1 PRECEDING)
      ),
      fired AS (
        SELECT DISTINCT wallet, token_id, direction, timestamp_ms, x, sample, median, stddev FROM stats
        WHERE sample >= ${p.min_sample} AND x > median + ${p.sigmas} * coalesce(stddev, 0)
      )
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_decimals, c.amount,
        c.amount_raw, c.timestamp_ms, c.confirmed, c.direction, s.sample, s.median, s.stddev
      FROM fired s JOIN c ON c.wallet = s.wallet AND c.token_id = s.token_id AND c.direction = s.direction
        AND c.timestamp_ms = s.timestamp_ms AND CAST(c.amount_num AS DOUBLE) = s.x`;
}

export const largeTransaction: Detector = {
  type: "large_transaction",
  scoresNewTransfers: true,
  // few new rows: a range join per new row; many (a first detection, a re-score): one window pass
  query: (ctx) =>
    labelled(
      "anomalies.large_transaction",
      ctx.d.framedMedian && ctx.fresh.rows > ctx.windowFromRows ? windowSql(ctx) : rangeJoinSql(ctx),
    ),
  toAnomaly: (r: Row, ctx) => {
    const p = ctx.settings.large_transaction;
    const dec = r.token_decimals === null ? null : num(r.token_decimals);
    const limit = num(r.median) + p.sigmas * num(r.stddev ?? 0);
    const [verb, side] = r.direction === "in" ? ["Received", "incoming"] : ["Sent", "outgoing"];
    return {
      ...ofTransfer("large_transaction", r),
      // ten times past the limit is not a busy day: someone should look now
      severity: num(r.median) > 0 && Number(r.amount_raw) > 10 * limit ? "critical" : "warning",
      reason:
        `${verb} ${r.amount ?? r.amount_raw} ${tokenOf(r)}, above median ${scaledStat(num(r.median), dec)} + ` +
        `${p.sigmas} × standard deviation ${scaledStat(num(r.stddev ?? 0), dec)} = ${scaledStat(limit, dec)} ` +
        `${tokenOf(r)} of this wallet's ${r.sample} ${side} ${tokenOf(r)} transfers in the ${p.lookback_days} days before.`,
      details: {
        direction: r.direction,
        sample: num(r.sample),
        median_raw: num(r.median),
        stddev_raw: num(r.stddev ?? 0),
        sigmas: p.sigmas,
      },
    };
  },
};
