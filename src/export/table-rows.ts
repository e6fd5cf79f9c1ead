// Reads of the warehouse shaped for export: exact strings for amounts, ISO 8601 UTC times.
import {
  type Column,
  isoUtc,
  TRANSACTION_COLUMNS,
  TRANSACTION_EXPORT_FIELDS,
  TRANSFER_COLUMNS,
  TRANSFER_EXPORT_FIELDS,
} from "../model/columns.ts";
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
  const cols = kind === "transfers" ? selectList(TRANSFER_COLUMNS) : selectList(TRANSACTION_COLUMNS);
  for (let offset = 0; ; offset += CHUNK) {
    const rows = await w.query<Record<string, unknown>>(
      labelled(
        `export.${kind}`,
        sql`SELECT ${raw(cols)} FROM ${raw(kind)} WHERE ${cond} ORDER BY timestamp_ms, ${raw(key)}
        LIMIT ${raw(String(CHUNK))} OFFSET ${raw(String(offset))}`,
      ),
    );
    if (!rows.length) return;
    yield rows.map((r) => shape(kind, r));
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

export const EXPORT_FIELDS = { transfers: TRANSFER_EXPORT_FIELDS, transactions: TRANSACTION_EXPORT_FIELDS };
