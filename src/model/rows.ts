// The one normalized schema. TS fields camelCase; warehouse columns snake_case (see warehouse/migrations.ts).

export type Endpoint = "transaction" | "transfer" | "trc20" | "internal";
/** The four streams of every watched wallet: each has its own cursor and the same walk. */
/** The format tag of an archived raw page (source/archive.ts writes it, normalize/page.ts reads it). */
export const ARCHIVE_FORMAT = "tronmon-raw-page/1";

export const ENDPOINTS: readonly Endpoint[] = ["transaction", "transfer", "trc20", "internal"];
export const ENDPOINT_PATHS: Record<Endpoint, string> = {
  transaction: "/api/transaction",
  transfer: "/api/transfer",
  trc20: "/api/token_trc20/transfers",
  internal: "/api/internal-transaction",
};
/** The query parameter that names the wallet on each endpoint. */
/**
 * Extra parameters each list is sent: `sort` and `count` where the API or well-used clients document them
 * (TRONSCAN-API.md §3); /api/internal-transaction documents neither (newest first is its default), so it gets none.
 */
export const ENDPOINT_EXTRA_PARAMS: Record<Endpoint, Record<string, string>> = {
  transaction: { sort: "-timestamp", count: "true" },
  transfer: { sort: "-timestamp", count: "true" },
  trc20: { sort: "-timestamp", count: "true" },
  internal: {},
};

export const ENDPOINT_WALLET_PARAM: Record<Endpoint, string> = {
  transaction: "address",
  transfer: "address",
  trc20: "relatedAddress",
  internal: "address",
};

/** `dropped`: an unconfirmed transaction that never made it into the chain; it moved nothing. */
export type Status = "success" | "failed" | "dropped";
export type AssetType = "trx" | "trc10" | "trc20" | "trc721";

/** 1 = full /api/transaction record; 0 = stub inferred from a transfer endpoint row. */
export type Detail = 0 | 1;

export type TransactionRow = {
  hash: string;
  block: number | null;
  timestampMs: number;
  ownerAddress: string | null;
  toAddress: string | null;
  contractType: number | null;
  contractTypeName: string | null;
  status: Status;
  contractRet: string | null;
  confirmed: boolean;
  feeSun: string | null;
  raw: string | null;
  detail: Detail;
  observedAtMs: number;
};

export type TransferRow = {
  transferId: string;
  transactionId: string;
  block: number | null;
  timestampMs: number;
  fromAddress: string;
  toAddress: string;
  assetType: AssetType;
  tokenId: string;
  tokenSymbol: string | null;
  tokenName: string | null;
  tokenDecimals: number | null;
  amountRaw: string;
  amount: string | null;
  /** TRC721: the id of the token (NFT) moved; amountRaw is then "1" and never summed as volume. */
  nftTokenId?: string | null;
  confirmed: boolean;
  status: Status;
  risk: boolean;
  tokenLevel: string | null;
  source: Endpoint;
  observedAtMs: number;
  /** What the record says of its transaction; a transaction known only through its transfers is derived from these. */
  txOwner: string | null;
  txTo: string | null;
  contractRet: string | null;
};

/**
 * What one stream returned for one wallet, one row per unit the API counts: the transfer or transaction it
 * gave (its id), or the record itself when it gave nothing we store (an Approval, a zero-value internal call,
 * a quarantined record). `tronmon verify` compares these, still backed by stored rows, with the API's counts.
 */
export type ObservationRow = {
  wallet: string;
  endpoint: Endpoint;
  unitId: string;
  unitKind: "transfer" | "transaction" | "none";
  timestampMs: number;
};

export type QuarantineRow = {
  endpoint: Endpoint | "block" | "unknown";
  reason: string;
  record: unknown;
  observedAtMs: number;
};

export type TokenRow = {
  tokenId: string;
  assetType: AssetType;
  symbol: string | null;
  name: string | null;
  decimals: number | null;
  level: string | null;
};

/**
 * A log of Tether's USDT contract changing its blacklist (for any address, watched or not): a freeze, an unfreeze,
 * or the destruction of a frozen balance (`amountRaw`, 6 decimals).
 */
export type BlacklistEvent = {
  kind: "added" | "removed" | "destroyed";
  address: string;
  transactionId: string;
  block: number;
  timestampMs: number;
  amountRaw: string | null;
};

export type NormalizedBatch = {
  transactions: TransactionRow[];
  transfers: TransferRow[];
  quarantined: QuarantineRow[];
  tokens: TokenRow[];
  observations?: ObservationRow[];
  /** Records deliberately not loaded (e.g. Approval events), counted for the summary. */
  skipped: number;
  /** Tether's USDT blacklist changes in these blocks (the block follower, solidified blocks only). */
  blacklist?: BlacklistEvent[];
};

export const emptyBatch = (): NormalizedBatch => ({
  transactions: [],
  transfers: [],
  quarantined: [],
  tokens: [],
  observations: [],
  skipped: 0,
});

export function appendBatch(into: NormalizedBatch, b: NormalizedBatch): NormalizedBatch {
  for (const t of b.transactions) into.transactions.push(t);
  for (const t of b.transfers) into.transfers.push(t);
  for (const q of b.quarantined) into.quarantined.push(q);
  for (const t of b.tokens) into.tokens.push(t);
  if (b.observations?.length) for (const o of b.observations) (into.observations ??= []).push(o);
  if (b.blacklist?.length) for (const e of b.blacklist) (into.blacklist ??= []).push(e);
  into.skipped += b.skipped;
  return into;
}
