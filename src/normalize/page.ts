// Recognise what a saved page is from its content: our archive, a TronScan envelope of one of the four list
// endpoints (or of the wallet family's /api/transfer/trc20, read as token transfers), or the bare array of
// /api/transaction records the original project saved.
import { ARCHIVE_FORMAT, ENDPOINTS, type Endpoint } from "../model/rows.ts";
import { wellKnownToken } from "../model/tokens.ts";

export type RecognisedPage = {
  endpoint: Endpoint;
  records: unknown[];
  /** When the page was fetched, if the content says so. */
  fetchedAtMs: number | null;
  kind: "archive" | "envelope" | "bare-array";
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function endpointOfRecord(r: unknown): Endpoint | null {
  if (!isObj(r)) return null;
  if ("transaction_id" in r && ("quant" in r || "contract_address" in r)) return "trc20";
  if ("hash" in r && ("internal_hash" in r || "call_value" in r || "callValueInfo" in r)) return "internal";
  if (isWalletTrc20(r)) return "trc20";
  if ("transactionHash" in r || "transferFromAddress" in r) return "transfer";
  if ("hash" in r && ("contractType" in r || "ownerAddress" in r)) return "transaction";
  return null;
}

/**
 * A row of the wallet family's `/api/transfer/trc20` (TRONSCAN-API.md §3.4): hash, from, to, amount, block_timestamp.
 */
const isWalletTrc20 = (r: Record<string, unknown>) =>
  "hash" in r && "block_timestamp" in r && "from" in r && "to" in r && "amount" in r;

/** The same movement in the token-transfer list's field names (confirmed and revert come as 0/1 there). */
function fromWalletTrc20(r: Record<string, unknown>): Record<string, unknown> {
  const contract = r.contract_address ?? r.id;
  return {
    transaction_id: r.hash,
    block_ts: r.block_timestamp,
    block: r.block,
    from_address: r.from,
    to_address: r.to,
    contract_address: contract,
    quant: r.amount,
    event_type: r.event_type ?? "Transfer",
    confirmed: r.confirmed,
    contractRet: r.contract_ret,
    finalResult: r.final_result,
    revert: r.revert,
    // these rows name the token's contract ("TetherToken"), not its symbol: known tokens keep their own
    tokenInfo:
      typeof r.decimals === "number" && !wellKnownToken(String(contract))
        ? {
            tokenId: contract,
            tokenAbbr: null,
            tokenName: r.token_name,
            tokenDecimal: r.decimals,
            tokenType: "trc20",
          }
        : null,
  };
}
const normalizeShape = (records: unknown[]): unknown[] =>
  records.map((r) => (isObj(r) && isWalletTrc20(r) && !("transaction_id" in r) ? fromWalletTrc20(r) : r));

/** Returns the recognised page, or a reason it is not one. */
export function recognisePage(content: unknown, hint?: Endpoint): RecognisedPage | { error: string } {
  if (isObj(content) && content.format === ARCHIVE_FORMAT) {
    const ep = content.endpoint as Endpoint;
    if (typeof ep !== "string" || !(ENDPOINTS as readonly string[]).includes(ep)) {
      return {
        error: `an archived page of an unknown endpoint ${JSON.stringify(content.endpoint)?.slice(0, 60)} (known: ${ENDPOINTS.join(", ")})`,
      };
    }
    const inner = recognisePage(content.body, ep);
    if ("error" in inner) return inner;
    const fetched = typeof content.fetched_at === "string" ? Date.parse(content.fetched_at) : NaN;
    return { ...inner, kind: "archive", fetchedAtMs: Number.isFinite(fetched) ? fetched : null };
  }
  if (Array.isArray(content)) {
    if (!content.length) return { endpoint: hint ?? "transaction", records: [], fetchedAtMs: null, kind: "bare-array" };
    // the endpoint asked (the sync, an archive) wins over what the records look like
    const ep = hint ?? endpointOfRecord(content[0]);
    if (!ep) return { error: "a JSON array whose records are not TronScan transactions or transfers" };
    return { endpoint: ep, records: normalizeShape(content), fetchedAtMs: null, kind: "bare-array" };
  }
  if (isObj(content)) {
    if (Array.isArray(content.token_transfers))
      return { endpoint: "trc20", records: content.token_transfers, fetchedAtMs: null, kind: "envelope" };
    const data = Array.isArray(content.data) ? content.data : Array.isArray(content.Data) ? content.Data : null;
    if (data) {
      const ep = hint ?? (data.length ? endpointOfRecord(data[0]) : null);
      if (!ep)
        return {
          error: data.length
            ? "an envelope whose data[] records are not transactions or transfers"
            : "an empty envelope of unknown endpoint",
        };
      return { endpoint: ep, records: normalizeShape(data), fetchedAtMs: null, kind: "envelope" };
    }
    if (typeof content.message === "string")
      return { error: `a TronScan error body: ${JSON.stringify(content.message)}` };
  }
  return { error: "not a TronScan page (no data[], token_transfers[] or record array)" };
}

/** `<wallet>_<YYYYMMDDTHHMMSSZ>.json` as saved by the original project. */
export function stampFromFilename(name: string): number | null {
  const m = /(\d{8}T\d{6}Z)/.exec(name);
  if (!m) return null;
  const s = m[1];
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
