// /api/transfer (TRX + TRC10) and /api/token_trc20/transfers (TRC20 + TRC721) records -> transfers.
import { parseRawAmount } from "../model/amount.ts";
import type { z } from "zod";
import { describeIssues, transferRecordSchema, trc20RecordSchema } from "./raw-schemas.ts";
import { fastTransfer, fastTrc20 } from "./fast-parse.ts";
import {
  checkAddress,
  checkBlock,
  checkTimestamp,
  nativeTokenFields,
  resolveToken,
  scaled,
  statusOf,
  tokenRowFromInfo,
  transferId,
  type RecordContext,
} from "./common.ts";
import { RecordError } from "../internal/errors.ts";
import type { Endpoint, NormalizedBatch } from "../model/rows.ts";

type Ctx = RecordContext;

function quarantine(endpoint: Endpoint, ctx: Ctx, out: NormalizedBatch, record: unknown, reason: string) {
  out.quarantined.push({ endpoint, reason, record, observedAtMs: ctx.observedAtMs });
}

function parsed<T>(
  schema: z.ZodType<T>,
  endpoint: Endpoint,
  ctx: Ctx,
  out: NormalizedBatch,
  record: unknown,
): T | null {
  const p = schema.safeParse(record);
  if (p.success) return p.data;
  quarantine(endpoint, ctx, out, record, describeIssues(p.error));
  return null;
}

function amountOf(field: string, value: unknown): bigint {
  const v = parseRawAmount(value);
  if (v === null) throw new RecordError(`${field} ${JSON.stringify(value)} is not a non-negative integer amount`);
  return v;
}

export function normalizeTransferRecord(record: unknown, ctx: Ctx, out: NormalizedBatch): void {
  const r = fastTransfer(record) ?? parsed(transferRecordSchema, "transfer", ctx, out, record);
  if (!r) return;
  try {
    const from = checkAddress("transferFromAddress", r.transferFromAddress);
    const to = checkAddress("transferToAddress", r.transferToAddress);
    const raw = amountOf("amount", r.amount);
    const isTrx = r.tokenName === "_" || (r.tokenName === "" && r.tokenInfo?.tokenId === "_");
    // TRC10 tokens are identified by id; older records may carry the name here and the id in tokenInfo
    const tokenId = isTrx ? "_" : /^\d+$/.test(r.tokenName) ? r.tokenName : (r.tokenInfo?.tokenId ?? "");
    if (!isTrx && !/^\d+$/.test(tokenId))
      throw new RecordError(
        `tokenName ${JSON.stringify(r.tokenName)} is neither "_" (TRX) nor a TRC10 id, and tokenInfo.tokenId gives none`,
      );
    const status = statusOf({ contractRet: r.contractRet, revert: r.revert });
    const hash = r.transactionHash.toLowerCase();
    const amountRaw = raw.toString();
    const occurrence = ctx.occurrences.next(`${hash}|${tokenId}|${from}|${to}|${amountRaw}`);
    const confirmed = r.confirmed ?? false;
    out.transfers.push({
      transferId: transferId(hash, tokenId, from, to, amountRaw, occurrence),
      transactionId: hash,
      block: checkBlock(r.block),
      timestampMs: checkTimestamp("timestamp", r.timestamp, ctx.latestMs),
      fromAddress: from,
      toAddress: to,
      ...nativeTokenFields(tokenId, raw, r.tokenInfo, ctx.tokens),
      amountRaw,
      confirmed,
      status,
      risk: r.riskTransaction ?? false,
      source: "transfer",
      observedAtMs: ctx.observedAtMs,
      txOwner: from,
      txTo: to,
      contractRet: r.contractRet ?? null,
    });
    if (!isTrx) {
      const token = tokenRowFromInfo(tokenId, "trc10", r.tokenInfo);
      if (token) out.tokens.push(token);
    }
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    quarantine("transfer", ctx, out, record, e.message);
  }
}

export function normalizeTrc20Record(record: unknown, ctx: Ctx, out: NormalizedBatch): void {
  const r = fastTrc20(record) ?? parsed(trc20RecordSchema, "trc20", ctx, out, record);
  if (!r) return;
  if (r.event_type && r.event_type !== "Transfer") {
    out.skipped++; // Approval events move nothing
    return;
  }
  try {
    const contract = checkAddress("contract_address", r.contract_address);
    const from = checkAddress("from_address", r.from_address);
    const to = checkAddress("to_address", r.to_address);
    const raw = amountOf("quant", r.quant);
    const assetType = r.tokenInfo?.tokenType === "trc721" ? "trc721" : "trc20";
    const t = resolveToken(contract, r.tokenInfo, ctx.tokens);
    const status = statusOf({ finalResult: r.finalResult, contractRet: r.contractRet, revert: r.revert });
    const hash = r.transaction_id.toLowerCase();
    // TRC721: `quant` is the id of the token moved, one token per transfer: never an amount to sum
    const nft = assetType === "trc721";
    const amountRaw = nft ? "1" : raw.toString();
    const trigger = r.trigger_info;
    const occurrence = ctx.occurrences.next(`${hash}|${contract}|${from}|${to}|${raw}`);
    const confirmed = r.confirmed ?? false;
    out.transfers.push({
      transferId: transferId(hash, contract, from, to, raw.toString(), occurrence),
      transactionId: hash,
      block: checkBlock(r.block),
      timestampMs: checkTimestamp("block_ts", r.block_ts, ctx.latestMs),
      fromAddress: from,
      toAddress: to,
      assetType,
      tokenId: contract,
      tokenSymbol: t.symbol,
      tokenName: t.name,
      tokenDecimals: nft ? 0 : t.decimals,
      amountRaw,
      amount: nft ? "1" : scaled(raw, t.decimals),
      nftTokenId: nft ? raw.toString() : null,
      confirmed,
      status,
      risk: r.riskTransaction ?? false,
      tokenLevel: t.level,
      source: "trc20",
      observedAtMs: ctx.observedAtMs,
      // a direct transfer() call on the token: its signer is the sender
      txOwner: trigger?.methodName === "transfer" && trigger.contract_address === contract ? from : null,
      txTo: trigger?.contract_address ?? contract,
      contractRet: r.contractRet ?? r.finalResult ?? null,
    });
    const token = tokenRowFromInfo(contract, assetType, r.tokenInfo);
    if (token) out.tokens.push(token);
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    quarantine("trc20", ctx, out, record, e.message);
  }
}
