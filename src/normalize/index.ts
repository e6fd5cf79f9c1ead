// normalizeRecords: pure, total. Raw records of one endpoint in, typed rows + quarantine out.
import { emptyBatch, type Endpoint, type NormalizedBatch } from "../model/rows.ts";
import { builtinTokens, OccurrenceCounter, type TokenLookup } from "./common.ts";
import { normalizeTransactionRecord } from "./transaction.ts";
import { normalizeTransferRecord, normalizeTrc20Record } from "./transfer.ts";

export type { TokenLookup } from "./common.ts";

const byEndpoint = {
  transaction: normalizeTransactionRecord,
  transfer: normalizeTransferRecord,
  trc20: normalizeTrc20Record,
};

export function normalizeRecords(args: {
  endpoint: Endpoint;
  records: readonly unknown[];
  observedAtMs: number;
  tokens?: TokenLookup;
  into?: NormalizedBatch;
}): NormalizedBatch {
  const out = args.into ?? emptyBatch();
  const ctx = { observedAtMs: args.observedAtMs, tokens: args.tokens ?? builtinTokens, occurrences: new OccurrenceCounter() };
  const fn = byEndpoint[args.endpoint];
  for (const record of args.records) fn(record, ctx, out);
  return out;
}
