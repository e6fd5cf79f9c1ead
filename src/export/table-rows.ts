// Reads of the warehouse shaped for export: exact strings for amounts, ISO 8601 UTC times.
import {
  type Column,
  isoUtc,
  TRANSACTION_COLUMNS,
  TRANSACTION_EXPORT_FIELDS,
  TRANSFER_COLUMNS,
  TRANSFER_EXPORT_FIELDS,
} from "../model/columns.ts";
import { imitatedToken } from "../model/tokens.ts";
import { and, labelled, raw, type Sql, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";

export type ExportFilter = { wallet?: string; sinceMs?: number };
const CHUNK = 50_000;

function where(kind: "transfers" | "transactions", f: ExportFilter): Sql {
  const w = f.wallet;
  const touches =
    kind === "transfers"
      ? sql`(from_address = ${w} OR to_address = ${w})`
      : sql`(owner_address = ${w} OR to_address = ${w}
          OR hash IN (SELECT transaction_id FROM transfers WHERE from_address = ${w} OR to_address = ${w}))`;
  return and([...(w ? [touches] : []), ...(f.sinceMs !== undefined ? [sql`timestamp_ms >= ${f.sinceMs}`] : [])]);
}

export async function* exportRows(
  w: Warehouse,
  kind: "transfers" | "transactions",
  f: ExportFilter,
): AsyncGenerator<Record<string, unknown>[]> {
  const cond = where(kind, f);
  const key = kind === "transfers" ? "transfer_id" : "hash";
  const cols =
    kind === "transfers" ? `${selectList(TRANSFER_COLUMNS)}, token_name, risk` : selectList(TRANSACTION_COLUMNS);
  const watched = new Set(
    (await w.query<{ address: string }>(labelled("export.wallets", sql`SELECT address FROM wallets`))).map(
      (r) => r.address,
    ),
  );
  for (let offset = 0; ; offset += CHUNK) {
    const rows = await w.query<Record<string, unknown>>(
      labelled(
        `export.${kind}`,
        sql`SELECT ${raw(cols)} FROM ${raw(kind)} WHERE ${cond} ORDER BY timestamp_ms, ${raw(key)}
        LIMIT ${raw(String(CHUNK))} OFFSET ${raw(String(offset))}`,
      ),
    );
    if (!rows.length) return;
    yield rows.map((r) => (kind === "transfers" ? transferShape(r, watched, f.wallet) : shape(kind, r)));
    if (rows.length < CHUNK) return;
  }
}

/** The exported columns as read: the time in ms (shaped to ISO below), exact amounts as text. */
const selectList = <R>(cols: readonly Column<R>[]) =>
  cols
    .filter((c) => c.exported)
    .map((c) =>
      c.name === "timestamp_utc"
        ? "timestamp_ms"
        : c.type === "raw_amount"
          ? `CAST(${c.name} AS VARCHAR) AS ${c.name}`
          : c.name,
    )
    .join(", ");

function shape(kind: "transfers" | "transactions", r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...r,
    timestamp_utc: isoUtc(Number(r.timestamp_ms)),
    block: r.block === null ? null : Number(r.block),
  };
  if (kind === "transfers") out.token_decimals = r.token_decimals === null ? null : Number(r.token_decimals);
  else out.contract_type = r.contract_type === null ? null : Number(r.contract_type);
  return out;
}

/** What a transfer export adds to the stored columns: which watched wallet it is about and how. */
export const TRANSFER_CONTEXT_FIELDS = ["watched_wallet", "direction", "counterparty", "token_flag"] as const;

/**
 * A transfer as exported, with its context: `watched_wallet` (the --wallet, else the watched side; the sender when
 * both are watched), `direction` from it (in, out, self), `counterparty`, `token_flag` ("imitation": the token borrows
 * a well-known token's symbol or name at another contract; "risky": TronScan flags it; null). Not the source: a
 * movement is one row whichever source or stream brought it first, and which one did varies with timing — an export
 * of the same data must not.
 */
function transferShape(r: Record<string, unknown>, watched: Set<string>, wallet?: string): Record<string, unknown> {
  const { token_name, risk, ...stored } = shape("transfers", r);
  const [from, to] = [String(r.from_address), String(r.to_address)];
  const side = wallet ?? (watched.has(from) ? from : to);
  const direction = from === to ? "self" : from === side ? "out" : "in";
  const imitation = imitatedToken(String(r.token_id), r.token_symbol as string | null, token_name as string | null);
  return {
    ...stored,
    watched_wallet: side,
    direction,
    counterparty: direction === "out" ? to : from,
    token_flag: imitation ? "imitation" : risk === true ? "risky" : null,
  };
}

export const EXPORT_FIELDS = {
  transfers: [...TRANSFER_EXPORT_FIELDS, ...TRANSFER_CONTEXT_FIELDS],
  transactions: TRANSACTION_EXPORT_FIELDS,
};
