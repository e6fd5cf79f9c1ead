// What a detector is: a type, a query over the warehouse (an Sql value) and how a result row becomes an
// anomaly. detect.ts runs the enabled ones; adding a detector is a module in detectors/ and a line in its list.
import { createHash } from "node:crypto";
import type { AnomalySettings } from "../config/schema.ts";
import type { AnomalyType, FindingType } from "../model/anomaly-types.ts";
import type { Labelled } from "../warehouse/sql.ts";
import type { Dialect } from "../warehouse/types.ts";
import type { KnownToken } from "./fragments.ts";

export type Row = Record<string, string | number | boolean | null>;

export type Anomaly = {
  anomalyId: string;
  anomalyType: FindingType;
  wallet: string;
  transactionId: string | null;
  transferId: string | null;
  tokenId: string | null;
  tokenSymbol: string | null;
  amount: string | null;
  amountRaw: string | null;
  reason: string;
  details: Record<string, unknown>;
  occurredAtMs: number | null;
  detectedAtMs: number;
  severity: Severity;
};
export type Severity = "info" | "warning" | "critical";
export type Finding = Omit<Anomaly, "detectedAtMs">;

export type DetectContext = {
  d: Dialect;
  /** The settings in force for `wallets` (anomalies/settings.ts). */
  settings: AnomalySettings;
  /** The watched wallets scored with these settings; undefined when the group is every stored wallet (no list to bind and match). */
  wallets: readonly string[] | undefined;
  /** Token decimals known so far (stored tokens, then the well-known list): to scale minimum amounts. */
  decimals: Map<string, number>;
  known: KnownToken[];
  nowMs: number;
  /** Transfers loaded after this time (`first_seen_at`, ms) are new. */
  watermarkMs: number;
  /** The new transfers: how many, and the oldest one's time. */
  fresh: { rows: number; minMs: number };
  /** New rows above which large_transaction is scored as one window pass instead of a range join. */
  windowFromRows: number;
};

export type Detector = {
  type: AnomalyType;
  /** Scores only the transfers loaded since the last detection (skipped when there are none). */
  scoresNewTransfers: boolean;
  query(ctx: DetectContext): Labelled;
  toAnomaly(row: Row, ctx: DetectContext): Finding;
};

export const anomalyId = (...parts: string[]) =>
  createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 24);
export const tokenOf = (r: Row) => String(r.token_symbol ?? r.token_id);
export const amountOf = (r: Row) => String(r.amount ?? r.amount_raw);
export const num = (v: unknown) => Number(v);

/** The fields every transfer-based anomaly takes from its row. */
export function ofTransfer(type: AnomalyType, r: Row) {
  return {
    anomalyId: anomalyId(type, String(r.transfer_id)),
    anomalyType: type,
    wallet: String(r.wallet),
    transactionId: String(r.transaction_id),
    transferId: String(r.transfer_id),
    tokenId: String(r.token_id),
    tokenSymbol: (r.token_symbol as string | null) ?? null,
    amount: (r.amount as string | null) ?? null,
    amountRaw: String(r.amount_raw),
    occurredAtMs: num(r.timestamp_ms),
  };
}
