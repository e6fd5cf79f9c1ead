// What identifies a raw list record of each endpoint, and its time: used by the walk to tell a re-read row
// from a new one, and by the observation ledger. Two records with the same key in one answer are twins
// (identical movements of one transaction); the same key in two answers is one row read twice.
import { createHash } from "node:crypto";
import type { Endpoint } from "../model/rows.ts";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Milliseconds of the block holding the record, or null when it has none. */
export function recordTimestamp(r: unknown): number | null {
  if (!isObj(r)) return null;
  const raw = r.timestamp ?? r.block_ts ?? r.block_timestamp;
  if (typeof raw !== "number" && !(typeof raw === "string" && /^\d{1,16}$/.test(raw))) return null;
  const v = Number(raw);
  return Number.isSafeInteger(v) ? v : null;
}

const FIELDS: Record<Endpoint, string[]> = {
  transaction: ["hash"],
  transfer: ["transactionHash", "tokenName", "transferFromAddress", "transferToAddress", "amount"],
  trc20: [
    "transaction_id",
    "contract_address",
    "from_address",
    "to_address",
    "quant",
    "event_type",
    "event_index",
    "log_index",
  ],
  internal: ["internal_hash", "hash", "from", "to", "call_value", "token_id"],
};

export function recordKey(endpoint: Endpoint, r: unknown): string {
  if (!isObj(r)) return `x:${digest(r)}`;
  if (endpoint === "internal" && typeof r.internal_hash === "string" && r.internal_hash) return `i:${r.internal_hash}`;
  const parts = FIELDS[endpoint].map((f) => r[f]);
  if (parts[0] === undefined || parts[0] === null || typeof parts[0] === "object") return `x:${digest(r)}`;
  return parts
    .map((p) => (p === undefined || p === null ? "" : typeof p === "object" ? digest(p) : String(p).slice(0, 200)))
    .join("|");
}

function digest(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = "(too deep to serialise)";
  }
  return createHash("sha256").update(text.slice(0, 100_000)).digest("hex").slice(0, 32);
}
