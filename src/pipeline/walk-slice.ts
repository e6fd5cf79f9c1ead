// Proving one slice (lo, hi] of a walk: re-read by itself until its rows match the API's count, TRC20 twins
// settled from /api/transaction-info, a shortfall reported when re-reading can no longer help.
import type { Held } from "./held-rows.ts";
import { transferKey, transfersIn } from "./twins.ts";
import { idlePageLimit, MAX_SLICE_PAGES, MAX_STALLS, OFFSET_WINDOW } from "./walk-plan.ts";
import type { WalkIO } from "./walk-io.ts";

/** /api/transaction-info look-ups spent settling twins in one slice. */
const MAX_TWIN_LOOKUPS = 200;

/** What re-reading one slice has learnt so far. */
type SliceState = { target: number | null; idlePages: number; pageRows: number; pages: number };

/**
 * Re-reads (lo, hi] by itself, page by page, until its rows match the count. The order of rows within one
 * timestamp may change on every request, so each page is a new draw that may bring rows the others missed:
 * reading goes on while it can still help — until enough pages in a row brought nothing that a missing row
 * would almost surely have shown up (14 x count / page size: below one chance in a million) — then TRC20
 * twins are settled, then a shortfall is reported. Without a count: until two full reads bring nothing new.
 */
export async function completeSlice(io: WalkIO, lo: number, hi: number, want: number | null): Promise<void> {
  const s: SliceState = { target: want, idlePages: 0, pageRows: 0, pages: 0 };
  const enough = () => s.target !== null && io.heldCount(lo, hi) >= s.target;
  const hopeless = () => s.target !== null && s.idlePages >= idlePageLimit(s.target, s.pageRows);
  let idlePasses = 0;
  let twinsSettled = false;
  let excused = 0;
  while (!enough() && s.pages < MAX_SLICE_PAGES) {
    const before = io.heldCount(lo, hi);
    const emptyFirst = await readPass(io, lo, hi, s, () => enough() || hopeless());
    // an empty first answer where rows are known to be proves nothing (a spurious empty page): not counted, a few
    // times
    if (emptyFirst && io.heldCount(lo, hi) > 0 && excused < MAX_STALLS) {
      excused++;
      continue;
    }
    idlePasses = io.heldCount(lo, hi) > before ? 0 : idlePasses + 1;
    if (s.target === null) {
      if (idlePasses >= 2) return; // no count to check against: two full reads in a row brought nothing new
      continue;
    }
    if (enough()) return;
    if (idlePasses >= 1 && io.endpoint === "trc20" && !twinsSettled) {
      await settleTwins(io, lo, hi, s.target - io.heldCount(lo, hi)); // identical rows of one transaction may be what is "missing"
      twinsSettled = true;
      continue;
    }
    if (hopeless()) break;
  }
  if (s.target !== null && io.heldCount(lo, hi) < s.target)
    io.shortfall({ fromMs: lo + 1, toMs: hi, expected: s.target, held: io.heldCount(lo, hi) });
}

/** One read of the slice from offset 0 until it runs out or `done`; returns whether its first answer was empty. */
async function readPass(io: WalkIO, lo: number, hi: number, s: SliceState, done: () => boolean): Promise<boolean> {
  let emptyFirst = false;
  for (let offset = 0; offset < OFFSET_WINDOW && s.pages < MAX_SLICE_PAGES; ) {
    const ans = await io.fetch(lo, hi, offset);
    s.pages++;
    if (offset === 0 && ans.empty) emptyFirst = true;
    // this slice's own count is the authority, unless the answer is empty (a spurious empty page may say 0)
    if (ans.count !== null && !ans.empty) s.target = ans.count;
    const gained = io.absorb(ans, lo, hi);
    s.idlePages = gained ? 0 : s.idlePages + 1;
    const inSlice = ans.rows.filter((r) => r.ts > lo && r.ts <= hi).length;
    s.pageRows = Math.max(s.pageRows, ans.rows.length);
    if (!inSlice || done()) break;
    offset += ans.rows.length;
    if (s.target !== null && offset >= s.target) break;
  }
  return emptyFirst;
}

/**
 * Whether a TRC20 list row's transaction may emit it twice: anything but a direct transfer()/transferFrom() call on
 * the token's own contract (a batch payout, a router). A row without trigger_info may.
 */
function mayHoldTwins(record: unknown): boolean {
  const r = (record ?? {}) as Record<string, unknown>;
  const ti = r.trigger_info as Record<string, unknown> | undefined;
  if (!ti || typeof ti !== "object") return true;
  const method = String(ti.methodName ?? ti.method ?? "");
  return !(ti.contract_address === r.contract_address && /^(transfer|transferFrom)(\(|$)/.test(method));
}

/**
 * TRC20 list rows carry no event index: two identical Transfers of one transaction are one row to us.
 * The transaction's own list of Transfers says how many there are.
 */
async function settleTwins(io: WalkIO, lo: number, hi: number, missing: number | null): Promise<void> {
  const byTx = new Map<string, Held[]>();
  for (const h of io.held.within(lo, hi)) {
    const txid = String((h.record as Record<string, unknown>).transaction_id ?? "");
    if (txid) byTx.set(txid, [...(byTx.get(txid) ?? []), h]);
  }
  // a plain transfer() or transferFrom() of the token itself emits one Transfer: only other calls can hold twins,
  // so a tie of a hundred plain payments costs no look-up and the batch calls among them are all looked up
  let found = 0;
  const candidates = [...byTx].filter(([, rows]) => mayHoldTwins(rows[0].record)).slice(0, MAX_TWIN_LOOKUPS);
  for (const [txid, rows] of candidates) {
    if (missing !== null && found >= missing) break;
    const res = await io.deps.client.get("/api/transaction-info", { hash: txid }, io.deps.signal);
    io.summary.requests++;
    const n = transfersIn(res.body);
    if (!n) continue;
    for (const h of rows) {
      const times = n.get(transferKey(h.record)) ?? 0;
      if (times > h.mult) {
        io.rowsRead += times - h.mult;
        found += times - h.mult;
        h.mult = times;
      }
    }
  }
}
