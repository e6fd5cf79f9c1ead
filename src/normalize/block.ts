// A java-tron block and its transaction infos (node HTTP API, hex or base58 addresses) -> the rows of the
// transactions that touch a watched wallet, with the ids the TronScan path gives the same movements
// (transaction.ts, transfer.ts, internal.ts), so that a movement seen by both sources is one row. Pure.
// Matching happens before normalizing (mayTouch): owner and recipient of the contract, Transfer events' from/to,
// internal transactions' caller/recipient, compared as raw strings; a transaction of nobody we watch costs a few
// lookups and is never converted (nor quarantined when broken: it is not ours). TRC20 movements come from Transfer events (a router paying a watched wallet is
// seen); TRX/TRC10 from the contract and from internal transactions. A failed transaction moves nothing: its
// transfer call is kept, decoded from the call data and marked failed, as TronScan's transaction record gives it.
import { isObj } from "../internal/json.ts";
import { decodeTransferCall } from "./abi.ts";
import { addressFromHex, addressToHex } from "../model/address.ts";
import { parseRawAmount } from "../model/amount.ts";
import {
  checkAddress,
  nativeTokenFields,
  OccurrenceCounter,
  resolveToken,
  scaled,
  type TokenLookup,
  transferId,
} from "./common.ts";
import { RecordError } from "../internal/errors.ts";
import { internalTransferId } from "./internal.ts";
import { CONTRACT_TYPE_NAMES, contractTypeName } from "../model/tokens.ts";
import {
  emptyBatch,
  type Endpoint,
  type NormalizedBatch,
  type ObservationRow,
  type Status,
  type TransactionRow,
  type TransferRow,
} from "../model/rows.ts";

export const TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const TYPE_NUMBERS = new Map(Object.entries(CONTRACT_TYPE_NAMES).map(([n, name]) => [name, Number(n)]));

type Obj = Record<string, unknown>;
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export type BlockHeader = { number: number; id: string; parentHash: string; timestampMs: number };

/** The header of a node block: number, id, parent id, time. A block without them is not a block. */
export function blockHeader(block: unknown): BlockHeader {
  if (!isObj(block) || !isObj(block.block_header) || !isObj(block.block_header.raw_data))
    throw new RecordError("a block must have block_header.raw_data");
  const raw = block.block_header.raw_data;
  const number = Number(raw.number ?? 0); // 0 is omitted by the node
  const timestampMs = Number(raw.timestamp ?? 0);
  if (!Number.isSafeInteger(number) || number < 0) throw new RecordError(`block number ${String(raw.number)}`);
  if (typeof block.blockID !== "string" || !/^[0-9a-f]{64}$/i.test(block.blockID))
    throw new RecordError(`blockID ${JSON.stringify(block.blockID)} is not 64 hex characters`);
  if (typeof raw.parentHash !== "string" || !/^[0-9a-f]{64}$/i.test(raw.parentHash))
    throw new RecordError(`parentHash ${JSON.stringify(raw.parentHash)} is not 64 hex characters`);
  return { number, id: block.blockID.toLowerCase(), parentHash: raw.parentHash.toLowerCase(), timestampMs };
}

/** An address as the node gives it: base58 (visible) or hex, 41-prefixed or the bare 20 bytes of logs. */
export function nodeAddress(field: string, v: unknown): string {
  if (typeof v === "string" && /^(41)?[0-9a-fA-F]{40}$/.test(v)) return checkAddress(field, addressFromHex(v));
  return checkAddress(field, v);
}

/** A 32-byte topic holding an address (12 zero bytes, then 20). */
const topicAddress = (topic: string) => addressFromHex(topic.slice(24));

/** A log topic: 64 hex digits (a 0x prefix tolerated). */
function topicWord(v: unknown): string {
  const s = typeof v === "string" ? v.replace(/^0x/i, "") : "";
  if (!/^[0-9a-f]{64}$/i.test(s))
    throw new RecordError(`log topic ${JSON.stringify(v)?.slice(0, 80)} is not 32 bytes of hex`);
  return s;
}

/** A uint256 as the node writes it in a log (hex, at most 32 bytes; empty is 0); anything else is refused. */
function uint256(field: string, v: unknown): bigint {
  const s = typeof v === "string" ? v.replace(/^0x/i, "") : v === undefined || v === null ? "" : null;
  if (s === null || !/^[0-9a-f]*$/i.test(s))
    throw new RecordError(`${field} ${JSON.stringify(v)?.slice(0, 80)} is not hex`);
  const digits = s.replace(/^0+/, "");
  if (digits.length > 64) throw new RecordError(`${field} has ${digits.length} hex digits: past a uint256`);
  return digits ? BigInt(`0x${digits}`) : 0n;
}

/**
 * TRC10 ids: the decimal string in a visible (base58) answer, the hex of its ASCII digits in a hex answer — both
 * are strings of digits ("1004083" vs "31303034303833"), so the answer's address form decides.
 */
function trc10Id(v: unknown, hexMode: boolean): string {
  const s = String(v ?? "");
  const text = hexMode && /^([0-9a-f]{2})+$/i.test(s) ? Buffer.from(s, "hex").toString("latin1") : s;
  if (/^\d+$/.test(text)) return text;
  throw new RecordError(`asset_name ${JSON.stringify(v)} is not a TRC10 token id`);
}

export type BlockContext = {
  /** Watched wallets, base58. */
  watched: ReadonlySet<string>;
  observedAtMs: number;
  /** Solidified (true) or past the solidified head (false: unconfirmed). */
  confirmed: boolean;
  tokens: TokenLookup;
};

/**
 * The rows of one block's transactions that touch a watched wallet. `infos` are the block's transaction infos
 * (gettransactioninfobyblocknum); a transaction without one is normalized from the block alone (no events, no
 * internal transactions, no fee). A transaction that cannot be read is quarantined, never dropped.
 */
export function normalizeBlock(block: unknown, infos: unknown[], ctx: BlockContext): NormalizedBatch {
  const header = blockHeader(block);
  const out = emptyBatch();
  const byId = new Map(objects(infos).map((i) => [String(i.id ?? "").toLowerCase(), i]));
  const hex = watchedHex(ctx.watched);
  for (const tx of objects((block as Obj).transactions)) {
    const info = byId.get(String(tx.txID ?? "").toLowerCase());
    if (!mayTouch(tx, info, ctx.watched, hex)) continue;
    const before = { tx: out.transactions.length, tr: out.transfers.length, ob: out.observations?.length ?? 0 };
    try {
      normalizeTransaction(tx, info, header, ctx, out);
    } catch (e) {
      // whatever went wrong inside one transaction (a bad field, a stack overflow on absurd nesting): it is
      // quarantined with its block and id; the rest of the block loads
      out.transactions.length = before.tx;
      out.transfers.length = before.tr;
      if (out.observations) out.observations.length = before.ob;
      const why = e instanceof RecordError ? e.message : `${(e as Error)?.name ?? "Error"}: ${(e as Error)?.message}`;
      const id = typeof tx.txID === "string" ? tx.txID.slice(0, 64) : "(no txID)";
      out.quarantined.push({
        endpoint: "block",
        reason: `block ${header.number}, transaction ${id}: ${why}`.slice(0, 500),
        record: { block: header.number, transaction: tx, info: info ?? null },
        observedAtMs: ctx.observedAtMs,
      });
    }
  }
  return out;
}

/** The watched addresses as the 40 hex digits of their 20 bytes (lower case), once per watched set. */
const hexSets = new WeakMap<ReadonlySet<string>, Set<string>>();
function watchedHex(watched: ReadonlySet<string>): Set<string> {
  let set = hexSets.get(watched);
  if (!set) {
    set = new Set();
    for (const a of watched) {
      try {
        set.add(addressToHex(a).slice(2).toLowerCase());
      } catch {
        // not an address: it can match nothing
      }
    }
    hexSets.set(watched, set);
  }
  return set;
}

/**
 * Whether a transaction may touch a watched wallet, from its raw fields alone (no address conversion, no checksum):
 * contract owner, recipient and contract; Transfer event topics; internal transactions' caller and recipient; the
 * first two parameters of the call data (a failed transfer call's recipient). Only these are normalized: the cost of a
 * block is a string lookup per address field, whatever the number of watched wallets.
 */
export function mayTouch(tx: Obj, info: Obj | undefined, base58: ReadonlySet<string>, hex: Set<string>): boolean {
  const hit = (v: unknown): boolean => {
    if (typeof v !== "string") return false;
    if (v.length === 34) return base58.has(v);
    return v.length >= 40 && hex.has(v.slice(-40).toLowerCase());
  };
  const contract = objects(isObj(tx.raw_data) ? tx.raw_data.contract : undefined)[0];
  const value = isObj(contract?.parameter) && isObj(contract.parameter.value) ? contract.parameter.value : {};
  if (hit(value.owner_address) || hit(value.to_address) || hit(value.contract_address)) return true;
  if (typeof value.data === "string" && value.data.length >= 72) {
    if (hit(value.data.slice(8, 72)) || (value.data.length >= 136 && hit(value.data.slice(72, 136)))) return true;
  }
  if (!info) return false;
  for (const log of objects(info.log)) {
    const topics = log.topics;
    if (Array.isArray(topics) && (hit(topics[1]) || hit(topics[2]))) return true;
  }
  for (const it of objects(info.internal_transactions))
    if (hit(it.caller_address) || hit(it.transferTo_address)) return true;
  return false;
}

/** What one transaction is, read from its node record: its id, contract, outcome and two sides. */
type TxFacts = {
  hash: string;
  value: Obj;
  typeName: string;
  type: number | null;
  contractRet: string;
  failed: boolean;
  status: Status;
  owner: string | null;
  to: string | null;
  hexMode: boolean;
};

function txFacts(tx: Obj, info: Obj | undefined): TxFacts {
  const hash = String(tx.txID ?? "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new RecordError(`txID ${JSON.stringify(tx.txID)} is not 64 hex characters`);
  const contract = objects(isObj(tx.raw_data) ? tx.raw_data.contract : undefined)[0];
  const value = isObj(contract?.parameter) && isObj(contract.parameter.value) ? contract.parameter.value : {};
  const typeName = String(contract?.type ?? "");
  const contractRet = String(objects(tx.ret)[0]?.contractRet ?? "SUCCESS");
  const failed = contractRet !== "SUCCESS" || (info !== undefined && info.result === "FAILED");
  const to =
    value.to_address !== undefined
      ? nodeAddress("to_address", value.to_address)
      : value.contract_address !== undefined
        ? nodeAddress("contract_address", value.contract_address)
        : null;
  return {
    hash,
    value,
    typeName,
    type: TYPE_NUMBERS.get(typeName) ?? null,
    contractRet,
    failed,
    status: failed ? "failed" : "success",
    owner: value.owner_address === undefined ? null : nodeAddress("owner_address", value.owner_address),
    hexMode: typeof value.owner_address === "string" && /^41[0-9a-f]{40}$/i.test(value.owner_address),
    to,
  };
}

/** An amount field of the node record: a non-negative integer, or the record is malformed. */
function amount(field: string, v: unknown): bigint {
  const raw = parseRawAmount(v ?? 0);
  if (raw === null) throw new RecordError(`${field} ${JSON.stringify(v)} is not a non-negative integer amount`);
  return raw;
}

/** The fields every transfer of the transaction shares; ids numbered by occurrence (identical movements differ). */
function rowBase(f: TxFacts, header: BlockHeader, ctx: BlockContext) {
  const occurrences = new OccurrenceCounter();
  return (
    tokenId: string,
    from: string,
    recipient: string,
    raw: bigint,
    source: TransferRow["source"],
    rowStatus: Status = f.status,
  ) => {
    const amountRaw = raw.toString();
    const occurrence = occurrences.next(
      `${source === "internal" ? "internal|" : ""}${tokenId}|${from}|${recipient}|${amountRaw}`,
    );
    return {
      transferId: transferId(f.hash, tokenId, from, recipient, amountRaw, occurrence),
      transactionId: f.hash,
      block: header.number,
      timestampMs: header.timestampMs,
      fromAddress: from,
      toAddress: recipient,
      amountRaw,
      nftTokenId: null,
      confirmed: ctx.confirmed,
      status: rowStatus,
      risk: false,
      source,
      observedAtMs: ctx.observedAtMs,
      txOwner: f.owner,
      txTo: f.to,
      contractRet: f.contractRet,
    };
  };
}

type RowBase = ReturnType<typeof rowBase>;

/** What the contract itself moves: TRX (1), TRC10 (2), a call's TRX value and a failed call's attempted transfer (31). */
function contractTransfers(f: TxFacts, base: RowBase, ctx: BlockContext): TransferRow[] {
  const { owner, to, type, value } = f;
  if (!owner || !to) return [];
  const native = (id: string, raw: bigint): TransferRow => ({
    ...base(id, owner, to, raw, "transaction"),
    ...nativeTokenFields(id, raw, null, ctx.tokens),
  });
  if (type === 1) return [native("_", amount("amount", value.amount))];
  if (type === 2) return [native(trc10Id(value.asset_name, f.hexMode), amount("amount", value.amount))];
  if (type !== 31) return [];
  const rows: TransferRow[] = [];
  const callValue = amount("call_value", value.call_value);
  if (callValue > 0n) rows.push(native("_", callValue));
  // a failed call emitted no event: the transfer it attempted, from its call data (TronScan's record of it)
  const decoded = f.failed ? decodeTransferCall(value.data) : null;
  if (decoded) rows.push(trc20Row(base(to, decoded.from ?? owner, decoded.to, decoded.value, "transaction"), to, ctx));
  return rows;
}

/** The Transfer events of a successful transaction: TRC20 amounts, TRC721 token ids. */
function eventTransfers(info: Obj, base: RowBase, ctx: BlockContext): TransferRow[] {
  const rows: TransferRow[] = [];
  for (const log of objects(info.log)) {
    const topics = Array.isArray(log.topics) ? log.topics.map(String) : [];
    if (topics[0]?.toLowerCase() !== TRANSFER_TOPIC || (topics.length !== 3 && topics.length !== 4)) continue;
    const token = nodeAddress("log.address", log.address);
    const [from, recipient] = [topicWord(topics[1]), topicWord(topics[2])].map(topicAddress);
    if (topics.length === 4) {
      // TRC721: the token's id is the third indexed topic; one token moves, never an amount to sum
      const id = uint256("Transfer topic tokenId", topics[3]);
      rows.push(nftRow(base(token, from, recipient, id, "trc20"), token, id, ctx));
      continue;
    }
    const raw = uint256("Transfer log.data", log.data);
    rows.push(trc20Row(base(token, from, recipient, raw, "trc20"), token, ctx));
  }
  return rows;
}

/** Internal movements, kept as failed when reverted (rejected) or when the transaction failed, as TronScan lists them. */
function internalTransfers(f: TxFacts, info: Obj | undefined, base: RowBase, ctx: BlockContext): TransferRow[] {
  const rows: TransferRow[] = [];
  for (const it of objects(info?.internal_transactions)) {
    const from = nodeAddress("caller_address", it.caller_address);
    const recipient = nodeAddress("transferTo_address", it.transferTo_address);
    const itStatus: Status = f.failed || it.rejected === true ? "failed" : "success";
    for (const v of objects(it.callValueInfo)) {
      const raw = amount("callValue", v.callValue);
      if (raw === 0n) continue;
      const id = v.tokenId === undefined || v.tokenId === "" ? "_" : trc10Id(v.tokenId, false);
      const row = {
        ...base(id, from, recipient, raw, "internal", itStatus),
        ...nativeTokenFields(id, raw, null, ctx.tokens),
      };
      rows.push(typeof it.hash === "string" ? { ...row, transferId: internalTransferId(it.hash) } : row);
    }
  }
  return rows;
}

function normalizeTransaction(
  tx: Obj,
  info: Obj | undefined,
  header: BlockHeader,
  ctx: BlockContext,
  out: NormalizedBatch,
) {
  const f = txFacts(tx, info);
  const { hash, owner, to, type, failed } = f;
  const base = rowBase(f, header, ctx);
  const transfers = [
    ...contractTransfers(f, base, ctx),
    ...(!failed && info ? eventTransfers(info, base, ctx) : []),
    ...internalTransfers(f, info, base, ctx),
  ];
  const touches = (a: string | null) => a !== null && ctx.watched.has(a);
  const mine = transfers.filter((t) => touches(t.fromAddress) || touches(t.toAddress));
  const seen = {
    hash,
    timestampMs: header.timestampMs,
    inTransactionStream: [owner, to].filter(touches) as string[],
    transfers: mine,
    nativeTransfer: type === 1 || type === 2,
    none: unitsWithoutRows(hash, failed ? undefined : info, ctx.watched),
  };
  const ledger = (out.observations ??= []);
  for (const o of observationsOf(seen, ctx.watched)) ledger.push(o);
  if (!mine.length && !touches(owner) && !touches(to)) return;
  out.transactions.push(transactionRow(f, tx, info, header, ctx));
  out.transfers.push(...mine);
}

function transactionRow(
  f: TxFacts,
  tx: Obj,
  info: Obj | undefined,
  header: BlockHeader,
  ctx: BlockContext,
): TransactionRow {
  return {
    hash: f.hash,
    block: header.number,
    timestampMs: header.timestampMs,
    ownerAddress: f.owner,
    toAddress: f.to,
    contractType: f.type,
    contractTypeName: f.type === null ? f.typeName || null : contractTypeName(f.type),
    status: f.status,
    contractRet: f.contractRet,
    confirmed: ctx.confirmed,
    feeSun: info?.fee === undefined ? null : amount("fee", info.fee).toString(),
    raw: JSON.stringify(tx),
    detail: 1,
    observedAtMs: ctx.observedAtMs,
  };
}

/**
 * What TronScan's four streams of each watched wallet count for one transaction, as the observation ledger holds them
 * (normalize/index.ts does the same for the TronScan path): the transaction in the streams of its owner and recipient,
 * TRX/TRC10 of transfer contracts in /api/transfer, Transfer events in the TRC20 stream, internal transactions in the
 * internal stream — each in the streams of both its sides — and units that store no row (`none`). With these,
 * `tronmon verify` counts block-followed days against TronScan's counts like any other.
 */
function observationsOf(
  t: {
    hash: string;
    timestampMs: number;
    inTransactionStream: string[];
    transfers: TransferRow[];
    nativeTransfer: boolean;
    none: ObservationRow[];
  },
  watched: ReadonlySet<string>,
): ObservationRow[] {
  const out: ObservationRow[] = [];
  const at = t.timestampMs;
  for (const wallet of new Set(t.inTransactionStream))
    out.push({ wallet, endpoint: "transaction", unitId: t.hash, unitKind: "transaction", timestampMs: at });
  for (const row of t.transfers) {
    const endpoint: Endpoint | null =
      row.source === "trc20" ? "trc20" : row.source === "internal" ? "internal" : t.nativeTransfer ? "transfer" : null;
    if (!endpoint) continue; // call_value TRX and a failed call's decoded transfer: only its transaction is listed
    for (const wallet of new Set([row.fromAddress, row.toAddress]))
      if (watched.has(wallet))
        out.push({ wallet, endpoint, unitId: row.transferId, unitKind: "transfer", timestampMs: at });
  }
  for (const o of t.none) out.push({ ...o, timestampMs: at });
  return out;
}

export const APPROVAL_TOPIC = "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";

/**
 * Units TronScan lists that store no row, keyed as normalize/index.ts keys them from TronScan's records (record-key.ts):
 * an internal call moving nothing to a watched wallet (`i:<internal hash>`), a watched owner's Approval event.
 */
function unitsWithoutRows(hash: string, info: Obj | undefined, watched: ReadonlySet<string>): ObservationRow[] {
  const out: ObservationRow[] = [];
  for (const it of objects(info?.internal_transactions)) {
    const moved = objects(it.callValueInfo).some((v) => parseRawAmount(v.callValue ?? 0) !== 0n);
    const to = typeof it.transferTo_address === "string" ? safeAddress(it.transferTo_address) : null;
    if (moved || !to || !watched.has(to) || typeof it.hash !== "string") continue;
    out.push({ wallet: to, endpoint: "internal", unitId: `none:i:${it.hash}|0`, unitKind: "none", timestampMs: 0 });
  }
  for (const log of objects(info?.log)) {
    const topics = Array.isArray(log.topics) ? log.topics.map(String) : [];
    if (topics[0]?.toLowerCase() !== APPROVAL_TOPIC || topics.length !== 3) continue;
    const [owner, spender] = [topics[1], topics[2]].map((w) => (/^[0-9a-f]{64}$/i.test(w) ? topicAddress(w) : null));
    const token = typeof log.address === "string" ? safeAddress(log.address) : null;
    if (!owner || !spender || !token || !watched.has(owner)) continue;
    const key = `${hash}|${token}|${owner}|${spender}|0|Approval||`;
    out.push({ wallet: owner, endpoint: "trc20", unitId: `none:${key}|0`, unitKind: "none", timestampMs: 0 });
  }
  return out;
}

function safeAddress(v: string): string | null {
  try {
    return nodeAddress("address", v);
  } catch {
    return null;
  }
}

/** A TRC721 movement: amount 1, the token's id beside it (the TronScan path's row and id). */
function nftRow(b: Parameters<typeof trc20Row>[0], token: string, id: bigint, ctx: BlockContext): TransferRow {
  const row = trc20Row(b, token, ctx);
  return { ...row, assetType: "trc721", amountRaw: "1", amount: "1", tokenDecimals: 0, nftTokenId: id.toString() };
}

function trc20Row(
  b: Omit<
    TransferRow,
    "assetType" | "tokenId" | "tokenSymbol" | "tokenName" | "tokenDecimals" | "amount" | "tokenLevel"
  >,
  token: string,
  ctx: BlockContext,
): TransferRow {
  const t = resolveToken(token, null, ctx.tokens);
  const raw = BigInt(b.amountRaw);
  return {
    ...b,
    assetType: "trc20",
    tokenId: token,
    tokenSymbol: t.symbol,
    tokenName: t.name,
    tokenDecimals: t.decimals,
    amount: scaled(raw, t.decimals),
    tokenLevel: t.level,
  };
}
