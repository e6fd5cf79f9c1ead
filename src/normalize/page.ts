// Recognise what a saved page is from its content: our archive, a TronScan envelope of one of the three
// endpoints, or the bare array of /api/transaction records the original project saved.
import { ENDPOINTS, type Endpoint } from "../model/rows.ts";

export type RecognisedPage = {
  endpoint: Endpoint;
  records: unknown[];
  /** When the page was fetched, if the content says so. */
  fetchedAtMs: number | null;
  kind: "archive" | "envelope" | "bare-array";
};

export const ARCHIVE_FORMAT = "tronmon-raw-page/1";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function endpointOfRecord(r: unknown): Endpoint | null {
  if (!isObj(r)) return null;
  if ("transaction_id" in r && ("quant" in r || "contract_address" in r)) return "trc20";
  if ("transactionHash" in r || "transferFromAddress" in r) return "transfer";
  if ("hash" in r && ("contractType" in r || "ownerAddress" in r)) return "transaction";
  return null;
}

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
    const ep = endpointOfRecord(content[0]) ?? hint;
    if (!ep) return { error: "a JSON array whose records are not TronScan transactions or transfers" };
    return { endpoint: ep, records: content, fetchedAtMs: null, kind: "bare-array" };
  }
  if (isObj(content)) {
    if (Array.isArray(content.token_transfers))
      return { endpoint: "trc20", records: content.token_transfers, fetchedAtMs: null, kind: "envelope" };
    const data = Array.isArray(content.data) ? content.data : Array.isArray(content.Data) ? content.Data : null;
    if (data) {
      const ep = (data.length ? endpointOfRecord(data[0]) : null) ?? hint;
      if (!ep)
        return {
          error: data.length
            ? "an envelope whose data[] records are not transactions or transfers"
            : "an empty envelope of unknown endpoint",
        };
      return { endpoint: ep, records: data, fetchedAtMs: null, kind: "envelope" };
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
