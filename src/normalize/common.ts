// Helpers shared by the per-endpoint normalizers: ids, address checks, token resolution.
import { hash } from "node:crypto";
import { addressProblem } from "../model/address.ts";
import { formatUnits } from "../model/amount.ts";
import { TRX, wellKnownToken, type TokenMeta } from "../model/tokens.ts";
import type { AssetType, Status, TokenRow } from "../model/rows.ts";
import type { RawTokenInfo } from "./raw-schemas.ts";
import { DAY_MS } from "../model/time.ts";
import { RecordError } from "../internal/errors.ts";

/** Token metadata known outside the record: the warehouse cache, then the built-in table. */
export type TokenLookup = (tokenId: string) => TokenRow | TokenMeta | undefined;
export const builtinTokens: TokenLookup = (id) => wellKnownToken(id);

const validAddresses = new Set<string>();
export function checkAddress(field: string, value: unknown): string {
  if (typeof value === "string" && validAddresses.has(value)) return value;
  const problem = addressProblem(value);
  if (problem) throw new RecordError(`${field} ${JSON.stringify(value)} ${problem}`);
  if (validAddresses.size > 200_000) validAddresses.clear();
  validAddresses.add(value as string);
  return value as string;
}

/**
 * The same movement seen through any endpoint gets the same id: hash of transaction, token, from, to,
 * raw amount and the occurrence of that tuple within the transaction (for identical repeated moves).
 */
export function transferId(
  txid: string,
  tokenId: string,
  from: string,
  to: string,
  amountRaw: string,
  occurrence: number,
): string {
  return hash("sha256", `${txid.toLowerCase()}|${tokenId}|${from}|${to}|${amountRaw}|${occurrence}`, "hex").slice(
    0,
    40,
  );
}

/** Counts repeated (tx, token, from, to, amount) tuples inside one page. */
export class OccurrenceCounter {
  private seen = new Map<string, number>();
  next(key: string): number {
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n;
  }
}

export function statusOf(args: {
  contractRet?: string | null;
  result?: string | null;
  finalResult?: string | null;
  revert?: boolean | null;
}): Status {
  if (args.revert) return "failed";
  const verdict = args.finalResult ?? args.contractRet ?? args.result;
  if (verdict == null || verdict === "") return "success";
  return verdict.toUpperCase() === "SUCCESS" ? "success" : "failed";
}

/** TRON's first block (2018-06-25): no record is older. */
export const TRON_GENESIS_MS = Date.parse("2018-06-25T00:00:00Z");
const WEEK_MS = 7 * DAY_MS;

/** What a record normalizer knows besides the record: when it was seen, the latest time it can be from, tokens. */
export type RecordContext = {
  observedAtMs: number;
  /** The later of when the record was seen and the caller's clock (an archive read years later). */
  latestMs: number;
  tokens: TokenLookup;
  occurrences: OccurrenceCounter;
};

/** A block time in milliseconds within what can be: after TRON's genesis, and not beyond a week after `latestMs`. */
export function checkTimestamp(field: string, value: unknown, latestMs: number): number {
  const ms =
    typeof value === "number" ? value : typeof value === "string" && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(ms) || ms < TRON_GENESIS_MS || ms > latestMs + WEEK_MS) {
    throw new RecordError(
      `${field} ${JSON.stringify(value)?.slice(0, 40)} is not a block time in milliseconds (2018-06-25 or later, not in the future)`,
    );
  }
  return ms;
}

/** A block number (or null): a non-negative safe integer. */
export function checkBlock(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RecordError(`block ${JSON.stringify(value)} is not a block number`);
  return value;
}

/** Token decimals as a token can have them: 0 to 77 (10^77 still fits a uint256). */
function checkDecimals(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0 || value > 77)
    throw new RecordError(`tokenDecimal ${JSON.stringify(value)} is outside 0..77`);
  return value;
}
/** Display strings from the chain (token symbols and names), cut to a sane length. */
const text = (v: string | null | undefined, max = 200): string | null =>
  v === null || v === undefined ? null : String(v).slice(0, max);

export type ResolvedToken = {
  symbol: string | null;
  name: string | null;
  decimals: number | null;
  level: string | null;
};

/** Token info from the record only when it describes this very token; else the lookup. */
export function resolveToken(tokenId: string, info: RawTokenInfo, lookup: TokenLookup): ResolvedToken {
  const known = wellKnownToken(tokenId);
  if (info && info.tokenId === tokenId && info.tokenDecimal != null) {
    return {
      symbol: text(info.tokenAbbr),
      name: text(info.tokenName),
      decimals: checkDecimals(info.tokenDecimal),
      level: text(info.tokenLevel, 8),
    };
  }
  const found = lookup(tokenId) ?? known;
  if (found)
    return {
      symbol: text(found.symbol),
      name: text(found.name),
      decimals: checkDecimals(found.decimals),
      level: "level" in found ? text(found.level, 8) : null,
    };
  return { symbol: null, name: null, decimals: null, level: null };
}

/** The token fields of a native movement (TRX "_" or a TRC10 id), as a transfer row carries them. */
export function nativeTokenFields(tokenId: string, raw: bigint, info: RawTokenInfo, lookup: TokenLookup) {
  const trx = tokenId === "_";
  const t = trx
    ? { symbol: TRX.symbol, name: TRX.name, decimals: 6, level: null }
    : resolveToken(tokenId, info, lookup);
  return {
    assetType: (trx ? "trx" : "trc10") as AssetType,
    tokenId,
    tokenSymbol: t.symbol,
    tokenName: t.name,
    tokenDecimals: t.decimals,
    amount: scaled(raw, t.decimals),
    tokenLevel: t.level,
    nftTokenId: null,
  };
}

export function scaled(raw: bigint, decimals: number | null): string | null {
  return decimals == null ? null : formatUnits(raw, decimals);
}

export function tokenRowFromInfo(tokenId: string, assetType: AssetType, info: RawTokenInfo): TokenRow | null {
  if (!info || info.tokenId !== tokenId || info.tokenDecimal == null) return null;
  if (!Number.isInteger(info.tokenDecimal) || info.tokenDecimal < 0 || info.tokenDecimal > 77) return null;
  return {
    tokenId,
    assetType,
    symbol: text(info.tokenAbbr),
    name: text(info.tokenName),
    decimals: info.tokenDecimal,
    level: text(info.tokenLevel, 8),
  };
}
