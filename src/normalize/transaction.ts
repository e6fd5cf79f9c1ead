// /api/transaction records -> one transaction row + the transfers it moves (TRX, TRC10, TRC20 calls).
import { decodeTransferCall } from "./abi.ts";
import { parseRawAmount } from "../model/amount.ts";
import { contractTypeName } from "../model/tokens.ts";
import { transactionRecordSchema, describeIssues, type RawTransaction } from "./raw-schemas.ts";
import { fastTransaction } from "./fast-parse.ts";
import {
  checkAddress,
  checkBlock,
  checkTimestamp,
  nativeTokenFields,
  resolveToken,
  scaled,
  statusOf,
  transferId,
  type RecordContext,
} from "./common.ts";
import { RecordError } from "../internal/errors.ts";
import type { NormalizedBatch, Status, TransferRow } from "../model/rows.ts";

type Ctx = RecordContext;

export function normalizeTransactionRecord(record: unknown, ctx: Ctx, out: NormalizedBatch): void {
  let r = fastTransaction(record);
  if (!r) {
    const parsed = transactionRecordSchema.safeParse(record);
    if (!parsed.success) {
      out.quarantined.push({
        endpoint: "transaction",
        reason: describeIssues(parsed.error),
        record,
        observedAtMs: ctx.observedAtMs,
      });
      return;
    }
    r = parsed.data;
  }
  try {
    checkTimestamp("timestamp", r.timestamp, ctx.latestMs);
    checkBlock(r.block);
    if (!Number.isInteger(r.contractType) || r.contractType < 0 || r.contractType > 65_535)
      throw new RecordError(`contractType ${JSON.stringify(r.contractType)} is not a contract type`);
    const owner = checkAddress("ownerAddress", r.ownerAddress);
    const to = r.toAddress ? checkAddress("toAddress", r.toAddress) : null;
    const status = statusOf({ contractRet: r.contractRet, result: r.result, revert: r.revert });
    const fee = r.cost?.fee != null ? parseRawAmount(r.cost.fee) : null;
    const transfers = transfersOf(r, owner, to, status, ctx);
    out.transactions.push({
      hash: r.hash.toLowerCase(),
      block: r.block ?? null,
      timestampMs: r.timestamp,
      ownerAddress: owner,
      toAddress: to,
      contractType: r.contractType,
      contractTypeName: contractTypeName(r.contractType),
      status,
      contractRet: r.contractRet ?? r.result ?? null,
      confirmed: r.confirmed ?? false,
      feeSun: fee === null ? null : fee.toString(),
      raw: JSON.stringify(record),
      detail: 1,
      observedAtMs: ctx.observedAtMs,
    });
    out.transfers.push(...transfers);
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    out.quarantined.push({ endpoint: "transaction", reason: e.message, record, observedAtMs: ctx.observedAtMs });
  }
}

function transfersOf(r: RawTransaction, owner: string, to: string | null, status: Status, ctx: Ctx): TransferRow[] {
  const data = r.contractData ?? {};
  const base = (tokenId: string, from: string, recipient: string, raw: bigint) => {
    const amountRaw = raw.toString();
    const hash = r.hash.toLowerCase();
    const occurrence = ctx.occurrences.next(`${hash}|${tokenId}|${from}|${recipient}|${amountRaw}`);
    return {
      transferId: transferId(hash, tokenId, from, recipient, amountRaw, occurrence),
      transactionId: hash,
      block: r.block ?? null,
      timestampMs: r.timestamp,
      fromAddress: from,
      toAddress: recipient,
      amountRaw,
      nftTokenId: null,
      confirmed: r.confirmed ?? false,
      status,
      risk: r.riskTransaction ?? false,
      source: "transaction" as const,
      observedAtMs: ctx.observedAtMs,
      txOwner: owner,
      txTo: to,
      contractRet: r.contractRet ?? r.result ?? null,
    };
  };
  const amountOf = (field: string, value: unknown): bigint => {
    const v = parseRawAmount(value);
    if (v === null) throw new RecordError(`${field} ${JSON.stringify(value)} is not a non-negative integer amount`);
    return v;
  };

  switch (r.contractType) {
    case 1: {
      const recipient = checkAddress("contractData.to_address", data.to_address ?? to);
      const raw = amountOf("contractData.amount", data.amount ?? r.amount);
      return [{ ...base("_", owner, recipient, raw), ...nativeTokenFields("_", raw, null, ctx.tokens) }];
    }
    case 2: {
      // TRC10 ids are numeric; older records carry the token's name in asset_name: the record's token id then
      const named =
        typeof data.asset_name === "string" || typeof data.asset_name === "number" ? String(data.asset_name) : "";
      const tokenId = /^\d+$/.test(named) ? named : String(r.tokenInfo?.tokenId ?? "");
      if (!/^\d+$/.test(tokenId))
        throw new RecordError(
          `contractData.asset_name ${JSON.stringify(data.asset_name)} is not a TRC10 token id and tokenInfo.tokenId gives none`,
        );
      const recipient = checkAddress("contractData.to_address", data.to_address ?? to);
      const raw = amountOf("contractData.amount", data.amount ?? r.amount);
      return [{ ...base(tokenId, owner, recipient, raw), ...nativeTokenFields(tokenId, raw, r.tokenInfo, ctx.tokens) }];
    }
    case 31:
      return contractCallTransfers(r, owner, to, ctx, base, amountOf);
    default:
      return []; // staking, delegation, votes, rewards...: activity, not transfers
  }
}

function contractCallTransfers(
  r: RawTransaction,
  owner: string,
  to: string | null,
  ctx: Ctx,
  base: (
    tokenId: string,
    from: string,
    recipient: string,
    raw: bigint,
  ) => Omit<
    TransferRow,
    "assetType" | "tokenId" | "tokenSymbol" | "tokenName" | "tokenDecimals" | "amount" | "tokenLevel"
  >,
  amountOf: (field: string, value: unknown) => bigint,
): TransferRow[] {
  const data = r.contractData ?? {};
  const trigger = r.trigger_info;
  const contractValue = data.contract_address ?? trigger?.contract_address ?? to;
  const contract = checkAddress("contractData.contract_address", contractValue);
  const rows: TransferRow[] = [];

  const callValue = data.call_value ?? trigger?.call_value;
  if (callValue != null && callValue !== 0 && callValue !== "0") {
    const raw = amountOf("contractData.call_value", callValue);
    if (raw > 0n) rows.push({ ...base("_", owner, contract, raw), ...nativeTokenFields("_", raw, null, ctx.tokens) });
  }

  const callData = (typeof data.data === "string" && data.data) || trigger?.data || null;
  let decoded = decodeTransferCall(callData);
  if (!decoded && !callData && trigger?.methodName === "transfer") decoded = fromParameters(trigger.parameter);
  if (!decoded) {
    if (callData && /^(a9059cbb|23b872dd)/i.test(callData))
      throw new RecordError(
        `contractData.data ${JSON.stringify(callData.slice(0, 80))} is a transfer call that cannot be decoded`,
      );
    return rows;
  }
  const from = decoded.from ? checkAddress("call data from", decoded.from) : owner;
  const recipient = checkAddress("call data to", decoded.to);
  const t = resolveToken(contract, null, ctx.tokens);
  const known = ctx.tokens(contract);
  const assetType = known && "assetType" in known && known.assetType === "trc721" ? "trc721" : "trc20";
  rows.push({
    ...base(contract, from, recipient, decoded.value),
    assetType,
    tokenId: contract,
    tokenSymbol: t.symbol,
    tokenName: t.name,
    tokenDecimals: t.decimals,
    amount: scaled(decoded.value, t.decimals),
    tokenLevel: t.level,
  });
  return rows;
}

/** `trigger_info.parameter` keys differ per token ABI (_to/_value, to/value, recipient/amount, dst/wad...). */
function fromParameters(parameter: Record<string, unknown> | null | undefined): { to: string; value: bigint } | null {
  if (!parameter) return null;
  const values = Object.values(parameter);
  const to = values.find((v) => typeof v === "string" && v.startsWith("T") && v.length === 34) as string | undefined;
  const amount = values.map((v) => parseRawAmount(v)).find((v) => v !== null);
  return to && amount != null ? { to, value: amount } : null;
}
