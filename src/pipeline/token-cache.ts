// Token metadata cache: the warehouse's tokens table, filled from records and from /api/token_trc20.
import type { TokenRow } from "../model/rows.ts";
import type { TronscanClient } from "../source/tronscan/client.ts";
import { wellKnownToken } from "../model/tokens.ts";
import { isAddress } from "../model/address.ts";
import { NonRetryableError } from "../internal/errors.ts";
import type { TokenLookup } from "../normalize/common.ts";

/** How long a token whose metadata could not be had waits before it is asked for again. */
const RETRY_METADATA_MS = 10 * 60_000;

export class TokenCache {
  private map = new Map<string, TokenRow>();
  private missing = new Set<string>();
  private retryAt = new Map<string, number>();
  constructor(rows: TokenRow[] = []) {
    this.add(rows);
  }
  add(rows: TokenRow[]) {
    for (const r of rows) if (r.decimals !== null || !this.map.has(r.tokenId)) this.map.set(r.tokenId, r);
  }
  readonly lookup: TokenLookup = (id) => this.map.get(id) ?? wellKnownToken(id);

  /**
   * Metadata of TRC20 contracts we know nothing about from `fetch` (the node's constant calls), once per contract per
   * process; a fetch that fails is tried again after RETRY_METADATA_MS, a refusal never (the rows keep their exact raw
   * amounts meanwhile).
   */
  async fillWith(
    contracts: Iterable<string>,
    fetch: (c: string) => Promise<TokenRow>,
    onError: (c: string, e: Error) => void,
    nowMs = Date.now(),
  ) {
    const found: TokenRow[] = [];
    for (const c of new Set(contracts)) {
      if (this.lookup(c) || this.missing.has(c) || !(isAddress(c) || /^\d{1,10}$/.test(c))) continue;
      if ((this.retryAt.get(c) ?? 0) > nowMs) continue; // failed a moment ago: not asked again on every range
      try {
        const row = await fetch(c);
        if (row.decimals === null && row.assetType !== "trc721") this.missing.add(c);
        this.add([row]);
        found.push(row);
      } catch (e) {
        // a refusal (the API is disabled, the method unknown) is final for this process; a failure, for a while
        if (e instanceof NonRetryableError) this.missing.add(c);
        else this.retryAt.set(c, nowMs + RETRY_METADATA_MS);
        onError(c, e as Error);
      }
    }
    return found;
  }

  /** Fetches metadata of TRC20 contracts we know nothing about (once per contract per process). */
  async fill(contracts: Iterable<string>, client: TronscanClient, signal?: AbortSignal): Promise<TokenRow[]> {
    const found: TokenRow[] = [];
    for (const c of new Set(contracts)) {
      if (this.lookup(c) || this.missing.has(c) || !isAddress(c)) continue;
      const res = await client.get("/api/token_trc20", { contract: c, showAll: 1 }, signal);
      const tokens = (res.body as { trc20_tokens?: Record<string, unknown>[] }).trc20_tokens ?? [];
      const t = tokens.find((x) => x.contract_address === c);
      if (!t) {
        // Remembered as unknown (no decimals) so it is not asked for again; amounts stay raw until known.
        this.missing.add(c);
        const unknown: TokenRow = {
          tokenId: c,
          assetType: "trc20",
          symbol: null,
          name: null,
          decimals: null,
          level: null,
        };
        this.add([unknown]);
        found.push(unknown);
        continue;
      }
      const decimals = Number(t.decimals);
      const row: TokenRow = {
        tokenId: c,
        assetType: "trc20",
        symbol: typeof t.symbol === "string" ? t.symbol : null,
        name: typeof t.name === "string" ? t.name : null,
        decimals: Number.isInteger(decimals) ? decimals : null,
        level: t.level != null ? String(t.level) : null,
      };
      this.add([row]);
      found.push(row);
    }
    return found;
  }
}

/** TRC20 contracts called by /api/transaction records (their tokenInfo is TRX, not the token). */
export function calledContracts(records: unknown[]): string[] {
  const out: string[] = [];
  for (const r of records as Record<string, unknown>[]) {
    if (Number(r?.contractType) !== 31) continue;
    const cd = r.contractData as Record<string, unknown> | undefined;
    const ti = r.trigger_info as Record<string, unknown> | undefined;
    const c = cd?.contract_address ?? ti?.contract_address ?? r.toAddress;
    const data = String(cd?.data ?? ti?.data ?? "");
    if (typeof c === "string" && /^(a9059cbb|23b872dd)/i.test(data)) out.push(c);
  }
  return out;
}
