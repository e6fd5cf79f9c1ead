// Merge rules for several observations of one row, applied in TypeScript within a batch (so the
// warehouse stages each key once) and in SQL against stored rows (warehouse/upsert.ts), identically:
// - state (status, confirmed): the newest observation wins, a confirmed one always beats an unconfirmed one;
//   once confirmed, always confirmed;
// - detail (transactions): a full /api/transaction record beats a row derived from transfers, then newest;
// - token metadata (transfers): an observation that knows the decimals beats one that does not, then newest.
import type { NormalizedBatch, TransactionRow, TransferRow } from "./rows.ts";
import { contractTypeName } from "./tokens.ts";

const stateRank = (confirmed: boolean, observedAtMs: number) => (confirmed ? 1e13 : 0) + observedAtMs;

export function mergeTransfer(a: TransferRow, b: TransferRow): TransferRow {
  const [older, newer] =
    stateRank(b.confirmed, b.observedAtMs) >= stateRank(a.confirmed, a.observedAtMs) ? [a, b] : [b, a];
  const metaFrom = newer.tokenDecimals !== null || older.tokenDecimals === null ? newer : older;
  return {
    ...newer,
    block: newer.block ?? older.block,
    tokenSymbol: metaFrom.tokenSymbol,
    tokenName: metaFrom.tokenName,
    tokenDecimals: metaFrom.tokenDecimals,
    amount: metaFrom.amount,
    tokenLevel: metaFrom.tokenLevel,
    confirmed: a.confirmed || b.confirmed,
    risk: a.risk || b.risk,
    txOwner: newer.txOwner ?? older.txOwner,
    txTo: newer.txTo ?? older.txTo,
    contractRet: newer.contractRet ?? older.contractRet,
  };
}

export function mergeTransaction(a: TransactionRow, b: TransactionRow): TransactionRow {
  const detailRank = (t: TransactionRow) => t.detail * 1e13 + t.observedAtMs;
  const [lessDetail, moreDetail] = detailRank(b) >= detailRank(a) ? [a, b] : [b, a];
  const [older, newer] =
    stateRank(b.confirmed, b.observedAtMs) >= stateRank(a.confirmed, a.observedAtMs) ? [a, b] : [b, a];
  const pick = <K extends keyof TransactionRow>(k: K) => moreDetail[k] ?? lessDetail[k];
  return {
    hash: a.hash,
    block: pick("block"),
    timestampMs: moreDetail.timestampMs,
    ownerAddress: pick("ownerAddress"),
    toAddress: pick("toAddress"),
    contractType: pick("contractType"),
    contractTypeName: pick("contractTypeName"),
    contractRet: pick("contractRet"),
    feeSun: pick("feeSun"),
    raw: pick("raw"),
    detail: moreDetail.detail,
    status: newer.status,
    confirmed: a.confirmed || b.confirmed,
    observedAtMs: Math.max(older.observedAtMs, newer.observedAtMs),
  };
}

/** A transaction known only through a transfer record: what that record says of it (detail 0). */
export function derivedTransaction(t: TransferRow): TransactionRow {
  // an internal movement happens inside a contract call
  const contractType = t.source === "internal" ? 31 : t.assetType === "trx" ? 1 : t.assetType === "trc10" ? 2 : 31;
  return {
    hash: t.transactionId,
    block: t.block,
    timestampMs: t.timestampMs,
    ownerAddress: t.txOwner,
    toAddress: t.txTo,
    contractType,
    contractTypeName: contractTypeName(contractType),
    status: t.status,
    contractRet: t.contractRet,
    confirmed: t.confirmed,
    feeSun: null,
    raw: null,
    detail: 0,
    observedAtMs: t.observedAtMs,
  };
}

/** One row per key: transfers merged, transactions merged with those derived from transfer endpoints. */
export function collapseBatch(batch: NormalizedBatch): { transactions: TransactionRow[]; transfers: TransferRow[] } {
  const transfers = new Map<string, TransferRow>();
  for (const t of batch.transfers) {
    const prev = transfers.get(t.transferId);
    transfers.set(t.transferId, prev ? mergeTransfer(prev, t) : t);
  }
  const transactions = new Map<string, TransactionRow>();
  const put = (t: TransactionRow) => {
    const prev = transactions.get(t.hash);
    transactions.set(t.hash, prev ? mergeTransaction(prev, t) : t);
  };
  for (const t of batch.transactions) put(t);
  for (const t of transfers.values()) if (t.source !== "transaction") put(derivedTransaction(t));
  return { transactions: [...transactions.values()], transfers: [...transfers.values()] };
}
