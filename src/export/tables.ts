// Reads of the warehouse shaped for export: exact strings for amounts, ISO 8601 UTC times.
import {
  type Column,
  isoUtc,
  TRANSACTION_COLUMNS,
  TRANSACTION_EXPORT_FIELDS,
  TRANSFER_COLUMNS,
  TRANSFER_EXPORT_FIELDS,
} from "../model/columns.ts";
import type { Warehouse } from "../warehouse/types.ts";

export type ExportFilter = { wallet?: string; sinceMs?: number };
const CHUNK = 50_000;

function where(kind: "transfers" | "transactions", f: ExportFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.wallet) {
    parts.push(
      kind === "transfers"
        ? "(from_address = ? OR to_address = ?)"
        : "(owner_address = ? OR to_address = ? OR hash IN (SELECT transaction_id FROM transfers WHERE from_address = ? OR to_address = ?))",
    );
    params.push(...(kind === "transfers" ? [f.wallet, f.wallet] : [f.wallet, f.wallet, f.wallet, f.wallet]));
  }
  if (f.sinceMs !== undefined) {
    parts.push("timestamp_ms >= ?");
    params.push(f.sinceMs);
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

export async function* exportRows(
  w: Warehouse,
  kind: "transfers" | "transactions",
  f: ExportFilter,
): AsyncGenerator<Record<string, unknown>[]> {
  const { sql, params } = where(kind, f);
  const key = kind === "transfers" ? "transfer_id" : "hash";
  const cols = kind === "transfers" ? selectList(TRANSFER_COLUMNS) : selectList(TRANSACTION_COLUMNS);
  for (let offset = 0; ; offset += CHUNK) {
    const rows = await w.query<Record<string, unknown>>(
      `SELECT ${cols} FROM ${kind} ${sql} ORDER BY timestamp_ms, ${key} LIMIT ${CHUNK} OFFSET ${offset}`,
      params,
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
