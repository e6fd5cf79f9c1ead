// What the detectors share, as SQL values: the candidate rows (transfers loaded after the watermark, seen
// from each watched wallet they touch), a wallet's history of one token and direction, spam and fake-token
// conditions, and the first-seen counterparty pairs kept in `counterparties`. Failed transactions are never
// scored, and spam never makes an address a known counterparty.
import { parseUnits } from "../model/amount.ts";
import { and, join, labelled, raw, type Sql, spelled, sql, type Labelled } from "../warehouse/sql.ts";
import type { Dialect } from "../warehouse/types.ts";
import { walletTransfers } from "../warehouse/activity/wallet-side.ts";

export type KnownToken = { tokenId: string; symbol: string; name: string };

/**
 * Symbol or name equal (case and spaces aside) to a well-known token's, on another contract. Over rows carrying
 * `sym_l` and `name_l` (lower(trim()) of symbol and name, computed once per row by `withFlags`).
 */
function fakeCondition(alias: string, known: KnownToken[]): Sql {
  if (!known.length) return raw("FALSE");
  const a = raw(alias);
  const parts = known.map(
    (k) =>
      sql`((${a}.sym_l = ${k.symbol.toLowerCase()} OR ${a}.name_l = ${k.name.toLowerCase()})
        AND ${a}.token_id <> ${k.tokenId})`,
  );
  return sql`COALESCE(${join(parts, " OR ")}, FALSE)`;
}

/**
 * Rows (with risk, token_level, token_symbol, token_name, token_id) plus `is_fake` and `is_spam`: spam is flagged
 * risky by TronScan, a token of level 3/4, or a fake of a well-known token. Each flag is computed once per row, so
 * that the detectors compare booleans instead of strings.
 */
export function withFlags(rows: Sql, known: KnownToken[]): Sql {
  // COALESCE: a NULL (unknown level, no symbol) must read as "not spam", never as NULL
  return sql`SELECT f.*, COALESCE(f.risk OR f.token_level IN ('3', '4') OR f.is_fake, FALSE) AS is_spam FROM (
      SELECT r.*, ${fakeCondition("r", known)} AS is_fake
      FROM (SELECT q.*, lower(trim(q.token_symbol)) AS sym_l, lower(trim(q.token_name)) AS name_l FROM (${rows}) q) r
    ) f`;
}

/** The candidates' flags (see withFlags). */
export const SPAM = raw("c.is_spam");
export const FAKE = raw("c.is_fake");

const CANDIDATE_COLUMNS =
  raw(`t.transfer_id, t.transaction_id, t.timestamp_ms, t.asset_type, t.token_id, t.token_symbol,
  t.token_name, t.token_decimals, t.amount_raw, t.amount_num, t.amount, t.status, t.confirmed, t.risk, t.token_level`);

/**
 * Transfers loaded after the watermark (`first_seen_at`), successful, seen from each watched wallet they touch:
 * wallet, direction, counterparty, the transfer's columns and its spam flags; `where` narrows them (over `a`).
 */
export function candidates(
  d: Dialect,
  watermarkMs: number,
  known: KnownToken[],
  where: Sql[] = [],
  among?: readonly string[],
): Sql {
  const fresh = sql`t.status = 'success' AND t.first_seen_at > ${spelled(d.msToTimestamp, watermarkMs)}`;
  const rows = walletTransfers({ select: CANDIDATE_COLUMNS, where: fresh, among });
  return sql`SELECT * FROM (${withFlags(rows, known)}) a WHERE ${and(where)}`;
}

/**
 * Transfers above a minimum per token (token units, exact): for each token listed, `alias`.amount_num must exceed
 * its minimum scaled by the token's decimals. A listed token whose decimals are not known yet is left out (its
 * amounts cannot be compared: nothing below a minimum may page anyone).
 */
export function aboveMinimum(alias: string, min: Record<string, string>, decimals: Map<string, number>): Sql {
  const a = raw(alias);
  const conds = Object.entries(min).map(([token, amount]) => {
    const d = decimals.get(token);
    if (d === undefined) return sql`${a}.token_id <> ${token}`;
    const rawMin = parseUnits(amount, d).toString();
    return sql`NOT (${a}.token_id = ${token} AND ${a}.amount_num <= CAST(${rawMin} AS DECIMAL(38,0)))`;
  });
  return and(conds);
}

/** Watched wallets' successful in/out transfers of summable amounts from a time on (the detectors' history). */
export function historyFrom(fromMs: number): Sql {
  return walletTransfers({
    select: raw(`t.transfer_id, t.transaction_id, t.token_id, t.token_symbol, t.token_decimals, t.amount, t.amount_raw,
      t.amount_num, t.timestamp_ms`),
    where: sql`t.status = 'success' AND t.amount_num IS NOT NULL AND t.from_address <> t.to_address
      AND t.timestamp_ms >= ${fromMs}`,
  });
}

/** First-seen times per (wallet, counterparty) among the candidate rows `c` that are not spam. */
export const pairsOf = (spam: Sql = SPAM): Sql => sql`SELECT c.wallet, c.counterparty, min(c.timestamp_ms) AS first_ms,
    min(CASE WHEN c.amount_raw <> '0' THEN c.timestamp_ms END) AS first_value_ms
  FROM c WHERE c.direction <> 'self' AND NOT ${spam} GROUP BY c.wallet, c.counterparty`;

const MERGE_PAIRS = raw(`ON p.wallet = n.wallet AND p.counterparty = n.counterparty
      WHEN MATCHED AND (n.first_ms < p.first_ms OR (n.first_value_ms IS NOT NULL
          AND (p.first_value_ms IS NULL OR n.first_value_ms < p.first_value_ms)))
        THEN UPDATE SET first_ms = least(p.first_ms, n.first_ms),
          first_value_ms = coalesce(least(p.first_value_ms, n.first_value_ms), n.first_value_ms, p.first_value_ms)
      WHEN NOT MATCHED THEN INSERT (wallet, counterparty, first_ms, first_value_ms)
        VALUES (n.wallet, n.counterparty, n.first_ms, n.first_value_ms)`);

/** Adds the scored rows' pairs to `counterparties` (run in the transaction that moves the watermark). */
export function mergeCounterpartiesSql(d: Dialect, args: { watermarkMs: number; known: KnownToken[] }): Labelled {
  return labelled(
    "anomalies.counterparties",
    sql`MERGE INTO counterparties p USING (WITH c AS (${candidates(d, args.watermarkMs, args.known)}) ${pairsOf()}) n
      ${MERGE_PAIRS}`,
  );
}

/**
 * Watched wallets not yet in `counterparty_wallets` (new in the config): their pairs from the rows already
 * scored (loaded up to the watermark); newer rows come in through `mergeCounterpartiesSql`.
 */
export function backfillCounterpartiesSql(d: Dialect, args: { watermarkMs: number; known: KnownToken[] }): Labelled {
  const scored = walletTransfers({
    select: raw("t.timestamp_ms, t.amount_raw, t.risk, t.token_level, t.token_symbol, t.token_name, t.token_id"),
    where: sql`t.status = 'success' AND t.from_address <> t.to_address
      AND t.first_seen_at <= ${spelled(d.msToTimestamp, args.watermarkMs)} AND w.address NOT IN (SELECT wallet FROM
        counterparty_wallets)`,
  });
  return labelled(
    "anomalies.counterparties_backfill",
    sql`MERGE INTO counterparties p USING (WITH c AS (${withFlags(scored, args.known)}) ${pairsOf()}) n
      ${MERGE_PAIRS}`,
  );
}
