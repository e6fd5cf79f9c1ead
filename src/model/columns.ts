// Export shapes: the exact field order of NDJSON/CSV exports and of out/structured/.
import type { TransactionRow, TransferRow } from "./rows.ts";

export const TRANSFER_EXPORT_FIELDS = [
  "transfer_id",
  "transaction_id",
  "block",
  "timestamp_utc",
  "from_address",
  "to_address",
  "asset_type",
  "token_id",
  "token_symbol",
  "token_decimals",
  "amount_raw",
  "amount",
  "confirmed",
  "status",
] as const;

export const TRANSACTION_EXPORT_FIELDS = [
  "hash",
  "block",
  "timestamp_utc",
  "owner_address",
  "to_address",
  "contract_type",
  "contract_type_name",
  "status",
  "contract_ret",
  "confirmed",
  "fee",
] as const;

export const isoUtc = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

export function transferExport(t: TransferRow): Record<(typeof TRANSFER_EXPORT_FIELDS)[number], unknown> {
  return {
    transfer_id: t.transferId,
    transaction_id: t.transactionId,
    block: t.block,
    timestamp_utc: isoUtc(t.timestampMs),
    from_address: t.fromAddress,
    to_address: t.toAddress,
    asset_type: t.assetType,
    token_id: t.tokenId,
    token_symbol: t.tokenSymbol,
    token_decimals: t.tokenDecimals,
    amount_raw: t.amountRaw,
    amount: t.amount,
    confirmed: t.confirmed,
    status: t.status,
  };
}

export function transactionExport(t: TransactionRow): Record<(typeof TRANSACTION_EXPORT_FIELDS)[number], unknown> {
  return {
    hash: t.hash,
    block: t.block,
    timestamp_utc: isoUtc(t.timestampMs),
    owner_address: t.ownerAddress,
    to_address: t.toAddress,
    contract_type: t.contractType,
    contract_type_name: t.contractTypeName,
    status: t.status,
    contract_ret: t.contractRet,
    confirmed: t.confirmed,
    fee: t.feeSun,
  };
}
