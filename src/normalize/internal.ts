// /api/internal-transaction records -> transfers of TRX or TRC10 moved by contracts (kind: source "internal").
// No recorded real rows exist here (TRONSCAN-API.md §3.6): the fields are read defensively, under the
// names a public client's tests use (hash, internal_hash, from, to, call_value, token_id, rejected...) and
// the java-tron names for the same things (caller_address, transferTo_address, callValueInfo[]).
import { createHash } from "node:crypto";
import { addressFromHex } from "../model/address.ts";
import { parseRawAmount } from "../model/amount.ts";
import { checkAddress, checkBlock, checkTimestamp, nativeTokenFields, statusOf, type RecordContext } from "./common.ts";
import { RecordError } from "../internal/errors.ts";
import type { NormalizedBatch } from "../model/rows.ts";

type Ctx = RecordContext;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const first = (o: Record<string, unknown>, ...keys: string[]) =>
  keys.map((k) => o[k]).find((v) => v !== undefined && v !== null && v !== "");
const truthy = (v: unknown) => v === true || v === 1 || v === "1" || v === "true";

/** base58 as is; java-tron's hex (41…) converted. */
function address(field: string, v: unknown): string {
  if (typeof v === "string" && /^(41)?[0-9a-fA-F]{40}$/.test(v)) return checkAddress(field, addressFromHex(v));
  return checkAddress(field, v);
}

/** The stable id of an internal movement: its internal hash (unique per internal transaction). */
export function internalTransferId(internalHash: string): string {
  return createHash("sha256").update(`internal|${internalHash.toLowerCase()}`).digest("hex").slice(0, 40);
}

/** Returns "skipped" when the record moves no value (a plain call): it is counted, not stored. */
export function normalizeInternalRecord(record: unknown, ctx: Ctx, out: NormalizedBatch): void {
  if (!isObj(record)) throw new RecordError("an internal transaction record must be an object");
  const hash = first(record, "hash", "transaction_id", "transactionHash");
  if (typeof hash !== "string" || !/^[0-9a-fA-F]{64}$/.test(hash))
    throw new RecordError(`hash ${JSON.stringify(hash)} must be 64 hex characters`);
  const ts = checkTimestamp("timestamp", first(record, "timestamp", "block_ts", "block_timestamp"), ctx.latestMs);
  const info = Array.isArray(record.callValueInfo) && isObj(record.callValueInfo[0]) ? record.callValueInfo[0] : {};
  const valueField = first(record, "call_value", "callValue", "value", "amount") ?? first(info, "callValue") ?? 0;
  const raw = parseRawAmount(valueField);
  if (raw === null)
    throw new RecordError(`call_value ${JSON.stringify(valueField)} is not a non-negative integer amount`);
  if (raw === 0n) {
    out.skipped++; // a call that moved no value
    return;
  }
  const from = address("from", first(record, "from", "from_address", "caller_address", "transferFromAddress"));
  const to = address("to", first(record, "to", "to_address", "transferTo_address", "transferToAddress"));
  const tokenRaw = String(first(record, "token_id", "tokenId") ?? first(info, "tokenId", "tokenName") ?? "_");
  const tokenId = tokenRaw === "" || tokenRaw === "_" || tokenRaw.toLowerCase() === "trx" ? "_" : tokenRaw;
  if (tokenId !== "_" && !/^\d+$/.test(tokenId))
    throw new RecordError(`token_id ${JSON.stringify(tokenRaw)} is neither "_" (TRX) nor a TRC10 id`);
  const rejected = truthy(record.rejected);
  const result = first(record, "result", "contractRet");
  const status = rejected
    ? "failed"
    : statusOf({ contractRet: typeof result === "string" ? result : null, revert: truthy(record.revert) });
  const txid = hash.toLowerCase();
  const internalHash = first(record, "internal_hash", "internalHash", "internal_transaction_hash");
  const amountRaw = raw.toString();
  const occurrence = ctx.occurrences.next(`${txid}|internal|${tokenId}|${from}|${to}|${amountRaw}`);
  const id =
    typeof internalHash === "string" && internalHash
      ? internalTransferId(internalHash)
      : internalTransferId(`${txid}|${tokenId}|${from}|${to}|${amountRaw}|${occurrence}`);
  const blockValue = first(record, "block", "blockNumber", "block_number");
  const block = checkBlock(
    blockValue === undefined ? null : typeof blockValue === "number" ? blockValue : Number(String(blockValue)),
  );
  out.transfers.push({
    transferId: id,
    transactionId: txid,
    block,
    timestampMs: ts,
    fromAddress: from,
    toAddress: to,
    ...nativeTokenFields(tokenId, raw, null, ctx.tokens),
    amountRaw,
    confirmed: truthy(record.confirmed),
    status,
    risk: false,
    source: "internal",
    observedAtMs: ctx.observedAtMs,
    txOwner: null,
    txTo: null,
    contractRet: typeof result === "string" ? result : null,
  });
}
