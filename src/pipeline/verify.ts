// Completeness you can check: for each wallet × stream × UTC day, the units stored (the observation ledger, written by
// the TronScan walk and the block follower alike, still backed by a stored row) against the API's own count.
// Days are certified once: a day whose verdict was ok is not asked again while its stored count stays the one it was
// certified with (a load that touches it changes that), except the days from `recheckFromMs` on (today, or the
// rolling window). Uncertified days are counted a whole run at a time and split in halves only where stored and
// counted disagree, down to the day (bisection): a quiet, complete year costs a few requests per wallet and stream.
// A day with fewer rows is re-walked by itself (`repair`) within a request budget and checked again; a count the
// walk cannot meet within it is reported as unreliable, not chased. Verdicts are kept in verify_results (health.gap).
import {
  ENDPOINT_EXTRA_PARAMS,
  ENDPOINT_PATHS,
  ENDPOINT_WALLET_PARAM,
  ENDPOINTS,
  type Endpoint,
} from "../model/rows.ts";
import { DAY_MS, utcDay } from "../model/time.ts";
import { syncEndpoint } from "./sync-endpoint.ts";
import { BudgetSpentError, type SyncDeps } from "./walk-types.ts";
import { countOf } from "./walk-io.ts";
import { recognisePage } from "../normalize/page.ts";
import { TRON_GENESIS_MS } from "../normalize/common.ts";
import { verifySchema } from "../config/schema.ts";
import { certifiedDays, lastVerified, saveVerdicts, storedCounts } from "../warehouse/verification.ts";
import { blockSpans } from "../warehouse/coverage.ts";

export type Verdict = "ok" | "missing" | "extra" | "no count" | "repaired" | "still missing" | "unreliable";
export type DayCheck = {
  wallet: string;
  endpoint: Endpoint;
  dayMs: number;
  api: number | null;
  stored: number;
  verdict: Verdict;
  /** Where the day's rows came from: the block follower (its whole day), TronScan, or both (the day it took over). */
  rowsFrom?: "blocks" | "tronscan" | "both";
};
export type VerifySummary = {
  days: DayCheck[];
  requests: number;
  missing: number;
  repaired: number;
  stillMissing: number;
  /** Days whose repair spent its request budget with the count still unmet. */
  unreliable: number;
  /** Wallet-stream-days skipped as certified earlier (nothing touched them since). */
  certifiedBefore: number;
  /** Wallet-stream-days left unchecked because the run's request budget was spent. */
  unchecked: number;
};

/** Requests a verify run and each day's repair may spend (config verify.max_requests, max_repair_requests). */
export type VerifyBudget = { requests: number; repairRequests: number };
/** The budget a config sets (its defaults: verify.max_requests 5,000, verify.max_repair_requests 200). */
export const verifyBudget = (config: {
  verify: { max_requests: number; max_repair_requests: number };
}): VerifyBudget => ({
  requests: config.verify.max_requests,
  repairRequests: config.verify.max_repair_requests,
});
const DEFAULT_VERIFY_BUDGET = verifyBudget({ verify: verifySchema.parse({}) });

/** Where verify's whole-history default starts: the configured history start, else TRON's first block. */
export const historyStartMs = (config: { source: { history_start: string | null } }) =>
  config.source.history_start === null ? TRON_GENESIS_MS : utcDay(Date.parse(config.source.history_start));

const verdictOf = (api: number | null, stored: number): Verdict =>
  api === null ? "no count" : stored === api ? "ok" : stored < api ? "missing" : "extra";

type Args = {
  deps: SyncDeps;
  wallets: string[];
  fromMs: number;
  toMs: number;
  repair: boolean;
  endpoints?: readonly Endpoint[];
  /** Days from here on are checked even when certified (default: every day in the range). */
  recheckFromMs?: number;
  budget?: VerifyBudget;
  onDay?: (d: DayCheck) => void;
};

export async function verify(args: Args): Promise<VerifySummary> {
  const { deps, wallets } = args;
  const first = utcDay(args.fromMs);
  const last = utcDay(Math.min(args.toMs, deps.nowMs));
  // by default every day of the range is checked one by one, as before certification existed
  const recheck = args.recheckFromMs === undefined ? first : utcDay(args.recheckFromMs);
  const out: VerifySummary = {
    days: [],
    requests: 0,
    missing: 0,
    repaired: 0,
    stillMissing: 0,
    unreliable: 0,
    certifiedBefore: 0,
    unchecked: 0,
  };
  const run = { args, out, budget: args.budget ?? DEFAULT_VERIFY_BUDGET };
  // the wallets verified longest ago first: what a spent budget left unchecked comes first next time
  const verifiedAt = await lastVerified(deps.warehouse);
  const order = [...wallets].sort((a, b) => (verifiedAt.get(a) ?? -1) - (verifiedAt.get(b) ?? -1));
  for (const wallet of order) {
    const stored = await storedCounts(deps.warehouse, wallet, first, last + DAY_MS);
    const certified = await certifiedDays(deps.warehouse, wallet, first, last + DAY_MS);
    for (const endpoint of args.endpoints ?? ENDPOINTS) {
      const have = (day: number) => stored.get(`${endpoint}|${day}`) ?? 0;
      const todo: number[] = [];
      for (let day = first; day <= last; day += DAY_MS) {
        if (day < recheck && certified.get(`${endpoint}|${day}`) === have(day)) out.certifiedBefore++;
        else todo.push(day);
      }
      // days still changing (from `recheck` on) one by one, newest first; then each run of older uncertified days
      // counted as a whole, split where it disagrees
      const recent = todo.filter((d) => d >= recheck).reverse();
      const older = consecutiveRuns(todo.filter((d) => d < recheck)).reverse();
      for (const days of [...recent.map((d) => [d]), ...older]) await checkRun(run, wallet, endpoint, days, have);
    }
  }
  await saveVerdicts(deps.warehouse, out.days, deps.nowMs);
  const spans = await blockSpans((q) => deps.warehouse.query(q));
  for (const d of out.days) d.rowsFrom = rowsFrom(spans.get(d.wallet), d.dayMs);
  return out;
}

/** Which source a day's rows came from, given the span the block follower covers for its wallet. */
function rowsFrom(span: { fromMs: number; toMs: number } | undefined, day: number): DayCheck["rowsFrom"] {
  if (!span || day + DAY_MS - 1 <= span.fromMs || day > span.toMs) return "tronscan";
  return day > span.fromMs && day + DAY_MS - 1 <= span.toMs ? "blocks" : "both";
}

type Run = { args: Args; out: VerifySummary; budget: VerifyBudget };

/** Ascending days split into runs of consecutive days. */
function consecutiveRuns(days: number[]): number[][] {
  const runs: number[][] = [];
  for (const d of days) {
    const r = runs[runs.length - 1];
    if (r && d === r[r.length - 1] + DAY_MS) r.push(d);
    else runs.push([d]);
  }
  return runs;
}

/** Days (ascending, consecutive) counted in one request; agreeing, all are ok; else each half again, down to a day. */
async function checkRun(
  run: Run,
  wallet: string,
  endpoint: Endpoint,
  days: number[],
  have: (day: number) => number,
): Promise<void> {
  const { out } = run;
  const push = (d: DayCheck) => {
    out.days.push(d);
    run.args.onDay?.(d);
  };
  if (out.requests >= run.budget.requests) {
    out.unchecked += days.length;
    return;
  }
  if (days.length === 1) return checkDay(run, wallet, endpoint, days[0], have(days[0]), push);
  const stored = days.reduce((n, d) => n + have(d), 0);
  const api = await apiCount(run, wallet, endpoint, days[0], days[days.length - 1], stored);
  if (api !== null && api === stored) {
    for (const dayMs of days) push({ wallet, endpoint, dayMs, api: have(dayMs), stored: have(dayMs), verdict: "ok" });
    return;
  }
  const half = Math.ceil(days.length / 2);
  // the newer half first: what a repair brings there is what the rolling verify sees first
  await checkRun(run, wallet, endpoint, days.slice(half), have);
  await checkRun(run, wallet, endpoint, days.slice(0, half), have);
}

async function checkDay(
  run: Run,
  wallet: string,
  endpoint: Endpoint,
  day: number,
  storedBefore: number,
  push: (d: DayCheck) => void,
): Promise<void> {
  const { args, out } = run;
  let have = storedBefore;
  const api = await apiCount(run, wallet, endpoint, day, day, have);
  let verdict = verdictOf(api, have);
  if (verdict === "missing") {
    out.missing++;
    if (args.repair) {
      const left = Math.min(run.budget.repairRequests, run.budget.requests - out.requests);
      const spent = await repairDay(run, wallet, endpoint, day, left);
      const w = args.deps.warehouse;
      have = (await storedCounts(w, wallet, day, day + DAY_MS)).get(`${endpoint}|${day}`) ?? 0;
      const again = await apiCount(run, wallet, endpoint, day, day, have);
      verdict = again !== null && have >= again ? "repaired" : spent ? "unreliable" : "still missing";
      if (verdict === "repaired") out.repaired++;
      else if (verdict === "unreliable") out.unreliable++;
      else out.stillMissing++;
    }
  }
  push({ wallet, endpoint, dayMs: day, api, stored: have, verdict });
}

/** Re-walks one day within `limit` requests; whether the budget ran out before the walk ended. */
async function repairDay(run: Run, wallet: string, endpoint: Endpoint, day: number, limit: number): Promise<boolean> {
  const { deps } = run.args;
  const budget = { left: Math.max(0, limit) };
  try {
    const s = await syncEndpoint({ ...deps, budget }, wallet, endpoint, { fromMs: day, toMs: day + DAY_MS - 1 });
    run.out.requests += s.requests;
    return false;
  } catch (e) {
    run.out.requests += limit - Math.max(0, budget.left);
    if (e instanceof BudgetSpentError) {
      deps.logger?.warn({
        msg: "A day's count could not be met within the repair budget: reported, not chased",
        wallet,
        endpoint,
        day: new Date(day).toISOString().slice(0, 10),
        requests: limit,
      });
      return true;
    }
    if (deps.signal?.aborted) throw e;
    deps.logger?.warn({
      msg: "Failed to repair a day",
      wallet,
      endpoint,
      day: new Date(day).toISOString().slice(0, 10),
      error: (e as Error).message,
    });
    return false;
  }
}

/**
 * The API's count of the rows from `fromDay`'s first millisecond to `toDay`'s last, whether it reads bounds inclusively
 * or not. An empty answer counting nothing is asked again (a spurious empty page says 0): up to four times when we
 * store rows there (an "extra" verdict must not rest on two unlucky answers), else twice.
 */
async function apiCount(
  run: Run,
  wallet: string,
  endpoint: Endpoint,
  fromDay: number,
  toDay: number,
  have: number,
): Promise<number | null> {
  const { deps } = run.args;
  let count: number | null = null;
  for (let attempt = 0; attempt < (have > 0 ? 4 : 2); attempt++) {
    const res = await deps.client.get(
      ENDPOINT_PATHS[endpoint],
      {
        [ENDPOINT_WALLET_PARAM[endpoint]]: wallet,
        start: 0,
        limit: 1,
        ...ENDPOINT_EXTRA_PARAMS[endpoint],
        start_timestamp: fromDay - 1,
        end_timestamp: toDay + DAY_MS - 1,
      },
      deps.signal,
    );
    run.out.requests++;
    const page = recognisePage(res.body, endpoint);
    const c = countOf(res.body);
    count = c === null ? count : Math.max(count ?? 0, c);
    if (!("error" in page) && page.records.length) break;
  }
  return count;
}
