// Completeness you can check: for each wallet × stream × UTC day, the units stored (the observation
// ledger, still backed by a stored transfer or transaction) against the API's own count for that day.
// A day with fewer is re-walked by itself (`repair`) and checked again. One request per wallet, stream
// and day, plus a walk per day that disagrees. Results are kept in verify_results (health.gap reads them).
import {
  ENDPOINT_EXTRA_PARAMS,
  ENDPOINT_PATHS,
  ENDPOINT_WALLET_PARAM,
  ENDPOINTS,
  type Endpoint,
} from "../model/rows.ts";
import { DAY_MS, utcDay } from "../model/time.ts";
import { countOf, syncEndpoint, type SyncDeps } from "./sync-endpoint.ts";
import { recognisePage } from "../normalize/page.ts";
import { saveVerdicts, storedCounts } from "../warehouse/verification.ts";
export { gapDays } from "../warehouse/verification.ts";

export type Verdict = "ok" | "missing" | "extra" | "no count" | "repaired" | "still missing";
export type DayCheck = {
  wallet: string;
  endpoint: Endpoint;
  dayMs: number;
  api: number | null;
  stored: number;
  verdict: Verdict;
};
export type VerifySummary = {
  days: DayCheck[];
  requests: number;
  missing: number;
  repaired: number;
  stillMissing: number;
};

const verdictOf = (api: number | null, stored: number): Verdict =>
  api === null ? "no count" : stored === api ? "ok" : stored < api ? "missing" : "extra";

export async function verify(args: {
  deps: SyncDeps;
  wallets: string[];
  fromMs: number;
  toMs: number;
  repair: boolean;
  endpoints?: readonly Endpoint[];
  onDay?: (d: DayCheck) => void;
}): Promise<VerifySummary> {
  const { deps, wallets } = args;
  const w = deps.warehouse;
  const first = utcDay(args.fromMs);
  const last = utcDay(Math.min(args.toMs, deps.nowMs));
  const out: VerifySummary = { days: [], requests: 0, missing: 0, repaired: 0, stillMissing: 0 };
  const apiCount = async (wallet: string, endpoint: Endpoint, day: number, have = 0): Promise<number | null> => {
    // rows from the day's first millisecond to its last, whether the API reads bounds inclusively or not;
    // an empty answer counting nothing is asked again (a spurious empty page says 0): up to four times when we
    // store rows for that day (an "extra" verdict must not rest on two unlucky answers), else twice
    let count: number | null = null;
    for (let attempt = 0; attempt < (have > 0 ? 4 : 2); attempt++) {
      const res = await deps.client.get(
        ENDPOINT_PATHS[endpoint],
        {
          [ENDPOINT_WALLET_PARAM[endpoint]]: wallet,
          start: 0,
          limit: 1,
          ...ENDPOINT_EXTRA_PARAMS[endpoint],
          start_timestamp: day - 1,
          end_timestamp: day + DAY_MS - 1,
        },
        deps.signal,
      );
      out.requests++;
      const page = recognisePage(res.body, endpoint);
      const c = countOf(res.body);
      count = c === null ? count : Math.max(count ?? 0, c);
      if (!("error" in page) && page.records.length) break;
    }
    return count;
  };
  for (const wallet of wallets) {
    const stored = await storedCounts(w, wallet, first, last + DAY_MS);
    for (const endpoint of args.endpoints ?? ENDPOINTS) {
      for (let day = last; day >= first; day -= DAY_MS) {
        let have = stored.get(`${endpoint}|${day}`) ?? 0;
        const api = await apiCount(wallet, endpoint, day, have);
        let verdict = verdictOf(api, have);
        if (verdict === "missing") {
          out.missing++;
          if (args.repair) {
            try {
              const s = await syncEndpoint(deps, wallet, endpoint, { fromMs: day, toMs: day + DAY_MS - 1 });
              out.requests += s.requests;
            } catch (e) {
              if (deps.signal?.aborted) throw e;
              deps.logger?.warn({
                msg: "Failed to repair a day",
                wallet,
                endpoint,
                day: new Date(day).toISOString().slice(0, 10),
                error: (e as Error).message,
              });
            }
            have = (await storedCounts(w, wallet, day, day + DAY_MS)).get(`${endpoint}|${day}`) ?? 0;
            const again = await apiCount(wallet, endpoint, day);
            verdict = again !== null && have >= again ? "repaired" : "still missing";
            if (verdict === "repaired") out.repaired++;
            else out.stillMissing++;
          }
        }
        const check: DayCheck = { wallet, endpoint, dayMs: day, api, stored: have, verdict };
        out.days.push(check);
        args.onDay?.(check);
      }
    }
  }
  await saveVerdicts(w, out.days, deps.nowMs);
  return out;
}
