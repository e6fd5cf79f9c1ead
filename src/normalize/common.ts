// Helpers shared by the per-endpoint normalizers: ids, address checks, token resolution.
import { hash } from "node:crypto";
import { addressProblem } from "./address.ts";
import { formatUnits } from "./amount.ts";
import { wellKnownToken, type TokenMeta } from "./tokens.ts";
import type { AssetType, Status, TokenRow } from "../model/rows.ts";
import type { RawTokenInfo } from "./raw-schemas.ts";

/** Token metadata known outside the record: the warehouse cache, then the built-in table. */
export type TokenLookup = (tokenId: string) => TokenRow | TokenMeta | undefined;
export const builtinTokens: TokenLookup = (id) => wellKnownToken(id);

export class RecordError extends Error {}

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
export function transferId(txid: string, tokenId: string, from: string, to: string, amountRaw: string, occurrence: number): string {
  return hash("sha256", `${txid.toLowerCase()}|${tokenId}|${from}|${to}|${amountRaw}|${occurrence}`, "hex").slice(0, 40);
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

export function statusOf(args: { contractRet?: string | null; result?: string | null; finalResult?: string | null; revert?: boolean | null }): Status {
  if (args.revert) return "failed";
  const verdict = args.finalResult ?? args.contractRet ?? args.result;
  if (verdict == null || verdict === "") return "success";
  return verdict.toUpperCase() === "SUCCESS" ? "success" : "failed";
}

export type ResolvedToken = { symbol: string | null; name: string | null; decimals: number | null; level: string | null };

/** Token info from the record only when it describes this very token; else the lookup. */
export function resolveToken(tokenId: string, info: RawTokenInfo, lookup: TokenLookup): ResolvedToken {
  const known = wellKnownToken(tokenId);
  if (info && info.tokenId === tokenId && info.tokenDecimal != null) {
    return { symbol: info.tokenAbbr ?? null, name: info.tokenName ?? null, decimals: info.tokenDecimal, level: info.tokenLevel ?? null };
  }
  const found = lookup(tokenId) ?? known;
  if (found) return { symbol: found.symbol ?? null, name: found.name ?? null, decimals: found.decimals ?? null, level: "level" in found ? (found.level ?? null) : null };
  return { symbol: null, name: null, decimals: null, level: null };
}

export function scaled(raw: bigint, decimals: number | null): string | null {
  return decimals == null ? null : formatUnits(raw, decimals);
}

export function tokenRowFromInfo(tokenId: string, assetType: AssetType, info: RawTokenInfo): TokenRow | null {
  if (!info || info.tokenId !== tokenId || info.tokenDecimal == null) return null;
  return { tokenId, assetType, symbol: info.tokenAbbr ?? null, name: info.tokenName ?? null, decimals: info.tokenDecimal, level: info.tokenLevel ?? null };
}
