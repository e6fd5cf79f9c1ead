// Exposure: per watched wallet and token, the share of inbound value that came directly from listed addresses
// (any list's current entries: sanctions, Tether's freezes, your own), over 30 days and all time, with the
// transactions behind it. Amounts are exact raw sums; the share is worked in BigInt (exposureShare).
import { DAY_MS, SUMMABLE } from "../../model/time.ts";
import { labelled, raw, sql } from "../sql.ts";
import type { Warehouse } from "../types.ts";
import { walletTransfers } from "./wallet-side.ts";

export type ExposureRow = {
  wallet: string;
  token_id: string;
  token_symbol: string | null;
  token_decimals: number | null;
  in_raw: string | null;
  listed_raw: string | null;
  in_raw_recent: string | null;
  listed_raw_recent: string | null;
  listed_transfers: number;
  listed_transfers_recent: number;
};

const LISTED = raw(
  "EXISTS (SELECT 1 FROM risk_entries e WHERE e.address = m.counterparty AND e.removed_version IS NULL)",
);

/**
 * Inbound successful transfers per wallet and token with what of them came from listed addresses: all time, and
 * over the `days` before `nowMs` (`_recent`).
 */
export function exposureSql(nowMs: number, wallet?: string, days = 30) {
  const rows = walletTransfers({
    select: raw(
      "t.transfer_id, t.transaction_id, t.timestamp_ms, t.token_id, t.token_symbol, t.token_decimals, t.amount_raw, t.amount_num",
    ),
    where: raw("t.status = 'success'"),
    wallet,
  });
  const recent = sql`m.timestamp_ms > ${nowMs - days * DAY_MS} AND m.timestamp_ms <= ${nowMs}`;
  const ok = raw(SUMMABLE.replace("amount_raw", "m.amount_raw"));
  return labelled(
    "exposure.per_wallet_token",
    sql`SELECT m.wallet, m.token_id, max(m.token_symbol) AS token_symbol, max(m.token_decimals) AS token_decimals,
      sum(CASE WHEN ${ok} THEN m.amount_num END) AS in_raw,
      sum(CASE WHEN ${ok} AND ${LISTED} THEN m.amount_num END) AS listed_raw,
      sum(CASE WHEN ${ok} AND ${recent} THEN m.amount_num END) AS in_raw_recent,
      sum(CASE WHEN ${ok} AND ${recent} AND ${LISTED} THEN m.amount_num END) AS listed_raw_recent,
      count(CASE WHEN ${LISTED} THEN 1 END) AS listed_transfers,
      count(CASE WHEN ${recent} AND ${LISTED} THEN 1 END) AS listed_transfers_recent
    FROM (${rows}) m WHERE m.direction = 'in'
    GROUP BY m.wallet, m.token_id`,
  );
}

/** The inbound transfers from listed addresses behind a wallet's exposure, newest first, with the lists. */
export function exposureTransfersSql(wallet: string, limit: number) {
  const rows = walletTransfers({
    select: raw("t.transfer_id, t.transaction_id, t.timestamp_ms, t.token_id, t.token_symbol, t.amount, t.amount_raw"),
    where: raw("t.status = 'success'"),
    wallet,
  });
  return labelled(
    "exposure.transfers",
    sql`SELECT m.*, e.list_name, e.category FROM (${rows}) m
      JOIN risk_entries e ON e.address = m.counterparty AND e.removed_version IS NULL
      WHERE m.direction = 'in' ORDER BY m.timestamp_ms DESC, m.transfer_id LIMIT ${limit}`,
  );
}

/** listed / total as a percentage with `digits` decimals, exact (rounded half up); null when nothing came in. */
export function exposureShare(listedRaw: string | null, inRaw: string | null, digits = 2): string | null {
  const total = BigInt(inRaw ?? "0");
  if (total === 0n) return null;
  const scale = 10n ** BigInt(digits);
  const q = (BigInt(listedRaw ?? "0") * 100n * scale * 2n + total) / (total * 2n);
  const whole = q / scale;
  return digits ? `${whole}.${(q % scale).toString().padStart(digits, "0")}` : whole.toString();
}

/** Exposure of every watched wallet (or one), per token, at `nowMs`: only tokens with something listed, first. */
export async function walletExposure(w: Warehouse, nowMs: number, wallet?: string, days = 30) {
  const rows = await w.query<ExposureRow>(exposureSql(nowMs, wallet, days));
  return rows
    .map((r) => ({
      ...r,
      listed_transfers: Number(r.listed_transfers),
      listed_transfers_recent: Number(r.listed_transfers_recent),
      share: exposureShare(r.listed_raw, r.in_raw),
      share_recent: exposureShare(r.listed_raw_recent, r.in_raw_recent),
    }))
    .sort(
      (a, b) =>
        b.listed_transfers - a.listed_transfers ||
        a.wallet.localeCompare(b.wallet) ||
        a.token_id.localeCompare(b.token_id),
    );
}
