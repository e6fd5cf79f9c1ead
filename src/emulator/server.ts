// The TronScan emulator: real paths, shapes and paging caps over a deterministic history, with faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { History, type Mix, ORIGINAL_WALLETS } from "./history.ts";
import { contractEventsAnswer } from "./trongrid-events.ts";
import { blockOf, blockTimeMs, TOKENS, type Move, type Tx } from "./chain.ts";
import {
  assetIssue,
  BlockIndex,
  constantCall,
  nodeBlock,
  nodeBlockId,
  nodeInfos,
  orphanBlockId,
  orphaned,
  orphanTxs,
  REORG_DEPTH,
  SOLIDIFY_BLOCKS,
} from "./node.ts";
import { internalRecord, toJson, transactionInfo, trc20Record, transactionRecord, transferRecord } from "./render.ts";
import { internalTransferId } from "../normalize/internal.ts";
import { Rng } from "./random.ts";
import { transferId } from "../normalize/common.ts";
import { formatUnits } from "../model/amount.ts";
import { isoUtc } from "../model/columns.ts";
import { contractTypeName } from "../model/tokens.ts";
import { DAY_MS } from "../model/time.ts";

export type Faults = Partial<
  Record<"429" | "403" | "500" | "502" | "slow" | "truncated" | "short" | "html403", number>
>;

export function parseFaults(spec: string | undefined | null): Faults {
  const out: Faults = {};
  if (!spec) return out;
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [k, v] = part.split(":");
    const p = Number(v);
    if (!["429", "403", "500", "502", "slow", "truncated", "short", "html403"].includes(k) || !(p >= 0 && p <= 1)) {
      throw new Error(
        `bad fault "${part}": use kind:probability with kind in 429,403,html403,500,502,slow,truncated,short and 0 <= probability <= 1`,
      );
    }
    out[k as keyof Faults] = p;
  }
  return out;
}

/**
 * How the real API misbehaves (TRONSCAN-API.md §2, §7), each on demand: `cap20` (every list answers at most 20
 * rows), `holes:p` (a page loses rows from its middle), `empty:p` (a spurious empty page, half of them with a
 * zero count), `error200:p` (an error envelope inside HTTP 200), `unstable` (rows of one timestamp in another
 * order on every request), `ignore_end:<endpoint>` (that list ignores end_timestamp), `nocount:<endpoint>`
 * (that list's total and rangeTotal are -1). Endpoints: transaction, transfer, trc20, internal.
 */
export type Quirks = {
  cap20?: boolean;
  holes?: number;
  empty?: number;
  error200?: number;
  unstable?: boolean;
  ignoreEnd?: (keyof Index)[];
  noCount?: (keyof Index)[];
  /** Every count multiplied by this (a source that over-counts). */
  overcount?: number;
};

const KINDS: (keyof Index)[] = ["transaction", "transfer", "trc20", "internal"];
export const ALL_QUIRKS = "cap20,holes:0.1,empty:0.05,error200:0.05,unstable,nocount:internal";

export function parseQuirks(spec: string | undefined | null): Quirks {
  const q: Quirks = {};
  if (!spec) return q;
  for (const part of spec
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [k, v] = part.split(":");
    const p = Number(v);
    const prob = () => {
      if (!(p >= 0 && p <= 1)) throw new Error(`bad quirk "${part}": ${k} takes a probability between 0 and 1`);
      return p;
    };
    const kind = () => {
      if (!KINDS.includes(v as keyof Index))
        throw new Error(`bad quirk "${part}": ${k} takes an endpoint (${KINDS.join(", ")})`);
      return v as keyof Index;
    };
    if (k === "cap20" || k === "unstable") q[k] = true;
    else if (k === "holes" || k === "empty" || k === "error200") q[k] = prob();
    else if (k === "ignore_end") (q.ignoreEnd ??= []).push(kind());
    else if (k === "nocount") (q.noCount ??= []).push(kind());
    else if (k === "overcount" && Number.isInteger(p) && p >= 1) q.overcount = p;
    else
      throw new Error(
        `unknown quirk "${part}": use cap20, holes:p, empty:p, error200:p, unstable, ignore_end:<endpoint>, nocount:<endpoint>, overcount:<n>`,
      );
  }
  return q;
}

export type EmulatorOptions = {
  seed?: number;
  /** Virtual "now" at start (ms); default: wall clock. */
  nowMs?: number;
  /** Days of history before now. */
  days?: number;
  /** "real": virtual time follows the wall clock; "manual": only /__emulator/advance moves it. */
  clock?: "real" | "manual";
  faults?: Faults;
  wallets?: { address: string; label?: string; perHour: number }[];
  slowMs?: number;
  /** Delay of every answer, to look like a remote API. */
  latencyMs?: number;
  /** Retry-After seconds sent with 429 answers. */
  retryAfterSec?: number;
  /** Variants of the real API's unverified details, to test against: a smaller page cap per endpoint
   *  (20 was reported for token_trc20/transfers) and exclusive timestamp bounds. */
  maxLimit?: Partial<Record<keyof Index, number>>;
  exclusiveBounds?: boolean;
  quirks?: Quirks;
  /** Node side: the share of blocks first seen in a replaced version while in the unsolidified tip (node.ts). */
  reorgs?: number;
  /** Weights of the generated activity's kinds (history.ts KINDS). */
  mix?: Mix;
  /** How much faster than the wall clock virtual time runs with the real clock (a block every 3 s / speed). */
  speed?: number;
};

type InternalEntry = { hash: string; from: string; to: string; raw: bigint; token: Move["token"] };
type Indexed = { tx: Tx; move: Move | null; internal?: InternalEntry };
type Index = { transaction: Indexed[]; transfer: Indexed[]; trc20: Indexed[]; internal: Indexed[] };

const CONFIRM_AFTER_MS = 60_000;

type Routed = { json: unknown } | { error: string } | null;

/** /api/token_trc20: a TRC20 token's details (an unlisted one only with showAll=1). */
function tokenRoute(q: URLSearchParams): Routed {
  const c = q.get("contract");
  if (!c) return { error: "contract address is missing" };
  const t = Object.values(TOKENS).find((x) => x.id === c && x.kind === "trc20");
  const whitelisted = t && t.level === "2";
  if (!t || (!whitelisted && q.get("showAll") !== "1"))
    return { json: { total: 0, contractMap: {}, rangeTotal: 0, trc20_tokens: [] } };
  const token = {
    symbol: t.abbr,
    name: t.name,
    contract_address: t.id,
    contract_name: t.name,
    decimals: t.decimals,
    issue_ts: 0,
    issue_time: "2019-04-16 12:41:20",
    level: t.level,
  };
  return { json: { total: 1, contractMap: { [c]: true }, rangeTotal: 1, trc20_tokens: [token] } };
}

export class Emulator {
  readonly history: History;
  readonly wallets: { address: string; label?: string; perHour: number }[];
  private index = new Map<string, Index>();
  private byHash = new Map<string, Tx>();
  private blocks = new BlockIndex();
  quirks: Quirks;
  private quirkRng: Rng;
  private startWall = Date.now();
  private virtualStart: number;
  private manualOffset = 0;
  faults: Faults;
  reorgs: number;
  private readonly seed: number;
  private faultRng: Rng;
  readonly stats = { requests: 0, byPath: {} as Record<string, number>, faults: {} as Record<string, number> };
  readonly tags: Record<string, string>;

  constructor(readonly opts: EmulatorOptions = {}) {
    this.wallets = opts.wallets ?? ORIGINAL_WALLETS;
    this.virtualStart = opts.nowMs ?? Date.now();
    const days = opts.days ?? 45;
    this.history = new History({
      seed: opts.seed ?? 1,
      startMs: this.virtualStart - days * DAY_MS,
      wallets: this.wallets,
      plantAtMs: days >= 10 ? this.virtualStart : undefined,
      mix: opts.mix,
    });
    this.faults = opts.faults ?? {};
    this.reorgs = opts.reorgs ?? 0;
    this.seed = opts.seed ?? 1;
    this.faultRng = new Rng(`${opts.seed ?? 1}|faults`);
    this.quirks = opts.quirks ?? {};
    this.quirkRng = new Rng(`${opts.seed ?? 1}|quirks`);
    this.tags = Object.fromEntries(this.wallets.map((w) => [w.address, w.label ?? ""]));
    this.tags[TOKENS.usdt.id] = "USDT Token";
    this.tags[this.wallets[0].address] = `${this.wallets[0].label ?? "wallet"} <script>alert("tag")</script>`;
    this.refresh();
  }

  now(): number {
    const wall = this.opts.clock === "manual" ? 0 : (Date.now() - this.startWall) * (this.opts.speed ?? 1);
    return this.virtualStart + this.manualOffset + Math.floor(wall);
  }

  advance(ms: number): void {
    this.manualOffset += ms;
    this.refresh();
  }

  /** The history up to the end of the current 3-second slot: its block is produced at the slot's start, whole. */
  private refresh(): void {
    for (const tx of this.history.extendTo(blockTimeMs(blockOf(this.now()) + 1) - 1)) this.addToIndex(tx);
  }

  private bucket(address: string): Index {
    let b = this.index.get(address);
    if (!b) this.index.set(address, (b = { transaction: [], transfer: [], trc20: [], internal: [] }));
    return b;
  }

  private addToIndex(tx: Tx): void {
    this.byHash.set(tx.hash, tx);
    this.blocks.add(tx);
    const seen = new Set<string>();
    for (const a of [tx.owner, tx.toAddress])
      if (a && !seen.has(a)) {
        seen.add(a);
        this.bucket(a).transaction.push({ tx, move: null });
      }
    for (const m of tx.moves) {
      if (m.via === "internal") {
        const entry = { hash: m.internalHash!, from: m.from, to: m.to, raw: m.raw, token: m.token };
        this.bucket(m.from).internal.push({ tx, move: m, internal: entry });
        if (m.to !== m.from) this.bucket(m.to).internal.push({ tx, move: m, internal: entry });
        continue;
      }
      const kind = m.via === "native" ? "transfer" : m.via === "event" ? "trc20" : null;
      if (!kind) continue;
      this.bucket(m.from)[kind].push({ tx, move: m });
      if (m.to !== m.from) this.bucket(m.to)[kind].push({ tx, move: m });
    }
    for (const c of tx.internalCalls ?? []) {
      const entry = { hash: c.hash, from: c.from, to: c.to, raw: 0n, token: TOKENS.trx };
      this.bucket(c.to).internal.push({ tx, move: null, internal: entry });
    }
    if (tx.approvalFor) this.bucket(tx.owner).trc20.push({ tx, move: null });
  }

  /** Newest first, inclusive timestamp bounds, limit <= 50, start + limit <= 10000 silently capped. */
  list(address: string, kind: keyof Index, q: URLSearchParams) {
    const rows = this.index.get(address)?.[kind] ?? [];
    const lo = Number(q.get("start_timestamp") ?? 0) || 0;
    const hiRaw = this.quirks.ignoreEnd?.includes(kind) ? null : q.get("end_timestamp");
    const hi = hiRaw ? Number(hiRaw) : Number.MAX_SAFE_INTEGER;
    const ex = this.opts.exclusiveBounds ? 1 : 0;
    const first = lowerBound(rows, lo + ex);
    const last = upperBound(rows, hi - ex); // exclusive index
    const rangeTotal = Math.max(0, last - first);
    const start = Math.max(0, Math.min(Number(q.get("start") ?? 0) || 0, 10_000));
    const cap = Math.min(this.opts.maxLimit?.[kind] ?? 50, this.quirks.cap20 ? 20 : 50);
    const limit = Math.max(0, Math.min(Number(q.get("limit") ?? 10) || 10, cap, 10_000 - start));
    const top = last - 1 - start; // index of the page's first row
    if (top < first || limit === 0) return { page: [] as Indexed[], total: Math.min(rangeTotal, 10_000), rangeTotal };
    const bottom = Math.max(first, top - limit + 1);
    // whole timestamp groups around the page, newest first (in another order on every request if unstable)
    const a = Math.max(first, lowerBound(rows, rows[bottom].tx.ts));
    const b = Math.min(last, upperBound(rows, rows[top].tx.ts));
    const seg = rows.slice(a, b).reverse();
    if (this.quirks.unstable) {
      for (let i = 0; i < seg.length; ) {
        let j = i;
        while (j < seg.length && seg[j].tx.ts === seg[i].tx.ts) j++;
        for (let k = j - 1; k > i; k--) {
          const r = i + Math.floor(this.quirkRng.next() * (k - i + 1));
          [seg[k], seg[r]] = [seg[r], seg[k]];
        }
        i = j;
      }
    }
    const from = b - 1 - top;
    return { page: seg.slice(from, from + limit), total: Math.min(rangeTotal, 10_000), rangeTotal };
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    this.stats.requests++;
    this.stats.byPath[url.pathname] = (this.stats.byPath[url.pathname] ?? 0) + 1;
    if (url.pathname.startsWith("/__emulator/")) return this.control(url, req, res);
    this.refresh();
    if (url.pathname.startsWith("/wallet/") || url.pathname.startsWith("/walletsolidity/"))
      return this.nodeRequest(url.pathname, req, res);
    const events = /^\/v1\/contracts\/([^/]+)\/events$/.exec(url.pathname);
    if (events) {
      const solid = blockTimeMs(blockOf(this.now()) - SOLIDIFY_BLOCKS);
      const a = contractEventsAnswer(
        this.history.freezes,
        events[1],
        url.searchParams,
        solid,
        this.now(),
        this.roll("holes"),
      );
      res.writeHead(a.status, { "content-type": "application/json" });
      return void res.end(JSON.stringify(a.body));
    }
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      const go = () => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body);
      };
      const delay = this.opts.latencyMs ?? 0;
      if (delay) setTimeout(go, delay);
      else go();
    };
    const fault = this.rollFault(url.pathname);
    if (fault === "429")
      return send(429, JSON.stringify({ message: "rate limit exceeded" }), {
        "retry-after": String(this.opts.retryAfterSec ?? 1),
      });
    if (fault === "403")
      return send(403, JSON.stringify({ code: 403, message: "request too quickly, please retry later." }));
    if (fault === "html403")
      return send(
        403,
        "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>",
        { "content-type": "text/html" },
      );
    if (fault === "500" || fault === "502")
      return send(
        Number(fault),
        fault === "502"
          ? "<html><title>502 Bad Gateway</title></html>"
          : JSON.stringify({ message: "Internal Server Error" }),
      );
    if (this.roll("error200"))
      return send(200, JSON.stringify({ code: 403, status: "0", message: "invalid API key", total: 0, data: [] }));
    const body = this.route(url);
    if (!body) return send(404, JSON.stringify({ message: "Not Found" }));
    if ("error" in body) return send(400, JSON.stringify({ message: body.error }));
    let text = toJson(body.json);
    if (fault === "truncated") text = text.slice(0, Math.floor(text.length * 0.6));
    if (fault === "slow") return void setTimeout(() => send(200, text), this.opts.slowMs ?? 1500);
    send(200, text);
  }

  private roll(quirk: "holes" | "empty" | "error200"): boolean {
    const p = this.quirks[quirk] ?? 0;
    if (!p || this.quirkRng.next() >= p) return false;
    this.stats.faults[quirk] = (this.stats.faults[quirk] ?? 0) + 1;
    return true;
  }

  /** A list answer as the quirks shape it: rows lost from the middle, a spurious empty page, no counts. */
  private quirked<T>(
    kind: keyof Index,
    page: T[],
    total: number,
    rangeTotal: number,
  ): { page: T[]; total: number; rangeTotal: number } {
    let out = page;
    let t = total,
      rt = rangeTotal;
    if (out.length > 2 && this.roll("holes"))
      out = out.filter((_, i) => i === 0 || i === out.length - 1 || this.quirkRng.next() > 0.3);
    if (out.length && this.roll("empty")) {
      out = [];
      if (this.quirkRng.next() < 0.5) {
        t = 0;
        rt = 0;
      }
    }
    if (this.quirks.overcount) {
      t = Math.min(10_000, t * this.quirks.overcount);
      rt *= this.quirks.overcount;
    }
    if (this.quirks.noCount?.includes(kind)) {
      t = -1;
      rt = -1;
    }
    return { page: out, total: t, rangeTotal: rt };
  }

  private rollFault(path: string): string | null {
    if (!path.startsWith("/api/")) return null;
    for (const [k, p] of Object.entries(this.faults)) {
      if (k === "short") continue;
      if (p && this.faultRng.next() < p) {
        this.stats.faults[k] = (this.stats.faults[k] ?? 0) + 1;
        return k;
      }
    }
    return null;
  }

  private route(url: URL): Routed {
    const q = url.searchParams;
    const now = this.now();
    const confirmed = (tx: Tx) => tx.ts <= now - CONFIRM_AFTER_MS;
    switch (url.pathname) {
      case "/api/transaction":
        return this.listRoute(q, "address", "transaction", (page, n) => ({
          ...n,
          data: page.map((r) => transactionRecord(r.tx, confirmed(r.tx))),
          wholeChainTxCount: 3216646144,
          contractMap: {},
          contractInfo: {},
        }));
      case "/api/transfer":
        return this.listRoute(q, "address", "transfer", (page, n) => ({
          total: n.total,
          data: page.map((r) => transferRecord(r.tx, r.move!, confirmed(r.tx), this.tags)),
          contractMap: {},
          contractInfo: {},
          rangeTotal: n.rangeTotal,
          normalAddressInfo: {},
        }));
      case "/api/token_trc20/transfers":
        return this.listRoute(q, "relatedAddress", "trc20", (page, n) => ({
          total: n.total,
          contractInfo: {},
          rangeTotal: n.rangeTotal,
          token_transfers: page.map((r) => trc20Record(r.tx, r.move, confirmed(r.tx), this.tags)),
          normalAddressInfo: {},
        }));
      case "/api/internal-transaction":
        return this.listRoute(q, "address", "internal", (page, n) => ({
          ...n,
          data: page.map((r) => internalRecord(r.tx, r.internal!, confirmed(r.tx))),
          contractMap: {},
          contractInfo: {},
          normalAddressInfo: {},
        }));
      case "/api/transaction-info": {
        const h = q.get("hash");
        if (!h) return { error: "some parameters are missing" };
        const tx = this.byHash.get(h.toLowerCase());
        return { json: tx ? transactionInfo(tx, confirmed(tx)) : {} };
      }
      case "/api/token_trc20":
        return tokenRoute(q);
      default:
        return null;
    }
  }

  /** One page of a wallet's list (quirks applied, sometimes cut short), in the endpoint's envelope. */
  private listRoute(
    q: URLSearchParams,
    param: string,
    kind: keyof Index,
    envelope: (page: Indexed[], counts: { total: number; rangeTotal: number }) => unknown,
  ): Routed {
    const a = q.get(param);
    if (!a) return { error: "some parameters are missing" };
    const { page, total, rangeTotal } = this.quirkedList(a, kind, q);
    return { json: envelope(this.shorten(page), { total, rangeTotal }) };
  }

  /** A short page mid-history, now and then (the `short` fault). */
  private shorten<T>(page: T[]): T[] {
    const p = this.faults.short ?? 0;
    if (page.length > 2 && p && this.faultRng.next() < p) {
      this.stats.faults.short = (this.stats.faults.short ?? 0) + 1;
      return page.slice(0, Math.max(1, Math.floor(page.length / 2)));
    }
    return page;
  }

  /** java-tron's HTTP API over the same history (emulator/node.ts): POST with a JSON body, errors inside 200s. */
  private nodeRequest(path: string, req: IncomingMessage, res: ServerResponse): void {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      const send = (status: number, v: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(v));
      };
      let q: Record<string, unknown> = {};
      try {
        q = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        return send(200, { Error: "class com.google.protobuf.InvalidProtocolBufferException : invalid JSON" });
      }
      // faults as a node and TronGrid answer them (test/fixtures/trongrid): throttling with "suspended for N s",
      // the node's own limiter and exceptions inside HTTP 200s, 5xx, truncated and slow bodies
      const fault = this.rollFault("/api/node");
      const wait = this.opts.retryAfterSec ?? 1;
      const limit = `The key exceeds the frequency limit(15), and the query server is suspended for ${wait} s`;
      if (fault === "429") return send(429, { Error: limit });
      if (fault === "html403") return send(403, { Success: false, Error: limit, StatusCode: 403 });
      if (fault === "403")
        return send(200, { Error: "class java.lang.IllegalAccessException : lack of computing resources" });
      if (fault === "500" || fault === "502") return send(Number(fault), { Error: "internal server error" });
      if (this.roll("error200")) return send(200, { Error: "class java.lang.NullPointerException : null" });
      const finish = (status: number, v: unknown) => {
        const body = JSON.stringify(v);
        if (fault === "truncated") {
          res.writeHead(status, { "content-type": "application/json" });
          return res.end(body.slice(0, Math.floor(body.length * 0.6)));
        }
        if (fault === "slow") return void setTimeout(() => send(status, v), this.opts.slowMs ?? 1500);
        send(status, v);
      };
      const head = blockOf(this.now()); // a block is produced at its slot's start (its timestamp)
      const solid = head - SOLIDIFY_BLOCKS;
      const top = path.startsWith("/walletsolidity/") ? solid : head;
      // the newest blocks of the full node's view may be versions that are replaced later (a tip reorg)
      const orphan = (n: number) => top === head && n > head - REORG_DEPTH && orphaned(n, this.reorgs, this.seed);
      const txsOf = (n: number) => (orphan(n) ? orphanTxs(this.blocks.txs(n)) : this.blocks.txs(n));
      const idOf = (n: number) => (orphan(n) ? orphanBlockId(n) : nodeBlockId(n));
      const block = (n: number) => {
        if (orphan(n)) this.stats.faults.orphan = (this.stats.faults.orphan ?? 0) + 1;
        return nodeBlock(n, txsOf(n), idOf(n), idOf(n - 1));
      };
      const name = path.slice(path.lastIndexOf("/") + 1);
      if (name === "getnowblock") return finish(200, block(top));
      if (name === "getblockbynum") {
        const n = Number(q.num ?? 0);
        return finish(200, n <= top ? block(n) : {});
      }
      if (name === "getblockbylimitnext") {
        const from = Number(q.startNum);
        const to = Number(q.endNum);
        if (!(to > 0 && to > from && to - from <= 100)) return finish(200, {});
        const list = [];
        for (let n = from; n < to && n <= top; n++) list.push(block(n));
        // a range answer that loses a block from its middle (the follower must notice and ask again)
        if (list.length > 2 && this.roll("holes"))
          list.splice(1 + Math.floor(this.quirkRng.next() * (list.length - 2)), 1);
        return finish(200, list.length ? { block: list } : {});
      }
      if (name === "gettransactioninfobyblocknum") {
        const n = Number(q.num ?? 0);
        if (n <= 0) return finish(200, {});
        return finish(200, n <= top ? nodeInfos(n, txsOf(n)) : []);
      }
      if (name === "triggerconstantcontract") return finish(200, constantCall(q));
      if (name === "getassetissuebyid") return finish(200, assetIssue(q));
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>");
    });
  }

  private quirkedList(address: string, kind: keyof Index, q: URLSearchParams) {
    const r = this.list(address, kind, q);
    return this.quirked(kind, r.page, r.total, r.rangeTotal);
  }

  private control(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(toJson(v));
    };
    const q = url.searchParams;
    switch (url.pathname) {
      case "/__emulator/health":
        return json(200, { ok: true, now: new Date(this.now()).toISOString(), transactions: this.history.txs.length });
      case "/__emulator/advance": {
        const ms = Number(q.get("ms") ?? 0) + Number(q.get("minutes") ?? 0) * 60_000;
        if (!(ms >= 0)) return json(400, { message: "ms or minutes must be >= 0" });
        this.advance(ms);
        return json(200, { now: new Date(this.now()).toISOString(), transactions: this.history.txs.length });
      }
      case "/__emulator/faults": {
        try {
          this.faults = parseFaults(q.get("spec"));
        } catch (e) {
          return json(400, { message: (e as Error).message });
        }
        return json(200, { faults: this.faults });
      }
      case "/__emulator/reorgs": {
        const rate = Number(q.get("rate"));
        if (!(rate >= 0 && rate <= 1)) return json(400, { message: "rate must be between 0 and 1" });
        this.reorgs = rate;
        return json(200, { reorgs: rate });
      }
      case "/__emulator/quirks": {
        try {
          this.quirks = parseQuirks(q.get("spec") === "all" ? ALL_QUIRKS : q.get("spec"));
        } catch (e) {
          return json(400, { message: (e as Error).message });
        }
        return json(200, { quirks: this.quirks });
      }
      case "/__emulator/stats":
        return json(200, this.stats);
      case "/__emulator/truth": {
        this.refresh();
        const wallets = (q.get("wallets") ?? this.wallets.map((w) => w.address).join(",")).split(",").filter(Boolean);
        return json(200, this.truth(wallets));
      }
      default:
        void req;
        return json(404, { message: "unknown control path" });
    }
  }

  /**
   * What a careful reader of every endpoint knows about these wallets: each transaction touching them
   * and each movement of value (failed transfer calls included, marked failed; Approvals excluded).
   */
  truth(wallets: string[]) {
    const set = new Set(wallets);
    const now = this.now();
    const transactions: Record<string, unknown>[] = [];
    const transfers: Record<string, unknown>[] = [];
    for (const tx of this.history.txs) {
      const confirmed = tx.ts <= now - CONFIRM_AFTER_MS;
      const status = tx.ret === "SUCCESS" ? "success" : "failed";
      const moves: Move[] = [...tx.moves];
      if (tx.ret !== "SUCCESS" && tx.call?.method === "transfer")
        moves.push({ token: tx.call.token!, from: tx.owner, to: tx.call.to!, raw: tx.call.raw!, via: "event" });
      const touches = set.has(tx.owner) || set.has(tx.toAddress) || moves.some((m) => set.has(m.from) || set.has(m.to));
      if (!touches) continue;
      transactions.push({
        hash: tx.hash,
        block: tx.block,
        timestamp_utc: isoUtc(tx.ts),
        contract_type: tx.contractType,
        contract_type_name: contractTypeName(tx.contractType),
        status,
        confirmed,
      });
      const occurrences = new Map<string, number>();
      for (const m of moves) {
        if (!set.has(m.from) && !set.has(m.to) && !set.has(tx.owner) && !set.has(tx.toAddress)) continue;
        const listedVia = m.via === "event" || m.via === "internal" ? set.has(m.from) || set.has(m.to) : true;
        if (!listedVia) continue;
        const tuple = `${m.token.id}|${m.from}|${m.to}|${m.raw}`;
        const occurrence = occurrences.get(tuple) ?? 0;
        occurrences.set(tuple, occurrence + 1);
        transfers.push({
          transfer_id:
            m.via === "internal"
              ? internalTransferId(m.internalHash!)
              : transferId(tx.hash, m.token.id, m.from, m.to, m.raw.toString(), occurrence),
          transaction_id: tx.hash,
          block: tx.block,
          timestamp_utc: isoUtc(tx.ts),
          from_address: m.from,
          to_address: m.to,
          asset_type: m.token.kind,
          token_id: m.token.id,
          token_symbol: m.token.kind === "trx" ? "TRX" : m.token.abbr,
          token_decimals: m.token.decimals,
          amount_raw: m.raw.toString(),
          amount: formatUnits(m.raw, m.token.decimals),
          confirmed,
          status,
        });
      }
    }
    const fakes = transfers
      .filter((t) => t.token_id === TOKENS.fakeUsdt.id)
      .map((t) => ({
        type: "fake_token",
        wallet: set.has(String(t.to_address)) ? t.to_address : t.from_address,
        transactionId: t.transaction_id,
        note: "fake USDT airdrop",
      }));
    const spam = transfers
      .filter(
        (t) =>
          [TOKENS.fakeUsdt.id, TOKENS.gift.id, TOKENS.spam10.id].includes(String(t.token_id)) &&
          set.has(String(t.to_address)),
      )
      .map((t) => ({
        type: "spam_token",
        wallet: t.to_address,
        transactionId: t.transaction_id,
        note: `${t.token_symbol} airdrop`,
      }));
    const planted = [...this.history.planted.filter((p) => set.has(p.wallet)), ...fakes, ...spam];
    const freezes = this.history.freezes
      .filter((f) => f.ts <= now)
      .map((f) => ({ ...f, raw: f.raw === undefined ? null : f.raw.toString() }));
    return { now: isoUtc(now), wallets, transactions, transfers, planted, freezes };
  }

  listen(port: number, host = "127.0.0.1"): Promise<Server> {
    const server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (e) {
        res.writeHead(500);
        res.end(JSON.stringify({ message: (e as Error).message }));
      }
    });
    return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
  }
}

function lowerBound(rows: Indexed[], ts: number): number {
  let lo = 0,
    hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].tx.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function upperBound(rows: Indexed[], ts: number): number {
  let lo = 0,
    hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].tx.ts <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
