// normalizeRecords: pure, total. Raw records of one endpoint in, typed rows + quarantine out. Any failure
// inside one record's normalization quarantines that record with its reason; the others are unaffected.
import { emptyBatch, type Endpoint, type NormalizedBatch, type ObservationRow } from "../model/rows.ts";
import { builtinTokens, OccurrenceCounter, type TokenLookup } from "./common.ts";
import { normalizeTransactionRecord } from "./transaction.ts";
import { normalizeTransferRecord, normalizeTrc20Record } from "./transfer.ts";
import { normalizeInternalRecord } from "./internal.ts";
import { recordKey, recordTimestamp } from "./record-key.ts";

const byEndpoint = {
  transaction: normalizeTransactionRecord,
  transfer: normalizeTransferRecord,
  trc20: normalizeTrc20Record,
  internal: normalizeInternalRecord,
};

export function normalizeRecords(args: {
  endpoint: Endpoint;
  records: readonly unknown[];
  observedAtMs: number;
  /** The caller's clock: a record may be dated up to a week past the later of this and observedAtMs. */
  nowMs?: number;
  tokens?: TokenLookup;
  into?: NormalizedBatch;
  /** The watched wallet these records were listed for: each record is then also noted as an observation. */
  wallet?: string;
}): NormalizedBatch {
  const out = args.into ?? emptyBatch();
  const ctx = {
    observedAtMs: args.observedAtMs,
    latestMs: Math.max(args.observedAtMs, args.nowMs ?? args.observedAtMs),
    tokens: args.tokens ?? builtinTokens,
    occurrences: new OccurrenceCounter(),
  };
  const fn = byEndpoint[args.endpoint];
  const observations: ObservationRow[] = args.wallet ? (out.observations ??= []) : [];
  for (const record of args.records) {
    const before = { tx: out.transactions.length, tr: out.transfers.length };
    try {
      fn(record, ctx, out);
    } catch (e) {
      // whatever went wrong inside one record: that record is quarantined, the rest of the page loads
      out.transactions.length = before.tx;
      out.transfers.length = before.tr;
      const reason = e instanceof Error ? `${e.name === "RecordError" ? "" : `${e.name}: `}${e.message}` : String(e);
      out.quarantined.push({
        endpoint: args.endpoint,
        reason: reason.slice(0, 500),
        record,
        observedAtMs: args.observedAtMs,
      });
    }
    if (!args.wallet) continue;
    const ts = recordTimestamp(record) ?? 0;
    if (args.endpoint === "transaction" && out.transactions.length > before.tx) {
      const t = out.transactions[before.tx];
      observations.push({
        wallet: args.wallet,
        endpoint: "transaction",
        unitId: t.hash,
        unitKind: "transaction",
        timestampMs: t.timestampMs,
      });
    } else if (args.endpoint !== "transaction" && out.transfers.length > before.tr) {
      const t = out.transfers[before.tr];
      observations.push({
        wallet: args.wallet,
        endpoint: args.endpoint,
        unitId: t.transferId,
        unitKind: "transfer",
        timestampMs: t.timestampMs,
      });
    } else {
      // an Approval, a zero-value call or a quarantined record: counted by the API, stored as seen
      const occurrence = ctx.occurrences.next(`none|${recordKey(args.endpoint, record)}`);
      observations.push({
        wallet: args.wallet,
        endpoint: args.endpoint,
        unitId: `none:${recordKey(args.endpoint, record)}|${occurrence}`,
        unitKind: "none",
        timestampMs: ts,
      });
    }
  }
  return out;
}
