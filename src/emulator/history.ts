// Deterministic synthetic TRON history for the emulator: per-wallet event streams generated from a seed,
// extended as the emulator's clock moves. Each transaction knows its value movements (the ground truth).
import { addressFrom, hashFrom, Rng } from "./random.ts";
import { blockOf, TOKENS, type Tx } from "./chain.ts";
import { EVENTS, eventKit, KINDS, type Stream } from "./events.ts";
import { DAY_MS } from "../model/time.ts";

export const ORIGINAL_WALLETS = [
  { address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF", label: "Binance-Cold 4", perHour: 24 },
  { address: "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa", label: "Bybit", perHour: 1.2 },
  { address: "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT", label: "BitPanda", perHour: 0.4 },
  { address: "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu", label: "HTX-4", perHour: 0.8 },
];

/** Two valid addresses sharing their first 4 and last 4 characters (found by a birthday search). */
export const POISON_PAIR = {
  real: "TA1VZw1X99TcBptrTQ6LxKyumwX9opkAA9",
  lookalike: "TA1VS6anwuTSiCuYtGqkoLAWhAPVP6kAA9",
};

export type Planted = { type: string; wallet: string; transactionId: string | null; note: string };

/** An address on the shipped OFAC SDN snapshot (risk-lists/ofac-sdn-tron-2024-09-27): the planted sanctioned payer. */
export const SANCTIONED_PAYER = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre";
/** The owner of the emulator's blacklist transactions (Tether's multisig wallet, made up). */
export const TETHER_MULTISIG = addressFrom("tether-multisig-wallet");

/** A blacklist change the history holds (the truth for the block follower's tether-frozen list). */
export type Freeze = {
  kind: "added" | "removed" | "destroyed";
  address: string;
  transactionId: string;
  ts: number;
  raw?: bigint;
};

export class History {
  readonly txs: Tx[] = [];
  /** Anomalies planted in the history on purpose (the ground truth for the detectors). */
  readonly planted: Planted[] = [];
  /** Tether's blacklist changes in the history, in order. */
  readonly freezes: Freeze[] = [];
  private streams: Stream[];
  private generatedTo: number;
  private pending: Tx[] = [];
  private kinds: Record<keyof typeof KINDS, number>;

  constructor(
    readonly opts: {
      seed: number;
      startMs: number;
      wallets: { address: string; perHour: number }[];
      retain?: boolean;
      plantAtMs?: number;
      mix?: Partial<Record<keyof typeof KINDS, number>>;
    },
  ) {
    this.kinds = { ...KINDS, ...opts.mix };
    this.generatedTo = opts.startMs;
    if (opts.plantAtMs !== undefined && opts.wallets.length >= 4) this.plant(opts.plantAtMs);
    this.streams = opts.wallets.map((w) => {
      const rng = new Rng(`${opts.seed}|${w.address}`);
      const peers = Array.from({ length: 40 }, (_, i) => addressFrom(`${opts.seed}|${w.address}|peer${i}`));
      const meanGapMs = 3_600_000 / w.perHour;
      return { wallet: w.address, rng, nextTs: opts.startMs + rng.exp(meanGapMs), meanGapMs, seq: 0, peers };
    });
  }

  /** Generate everything up to `nowMs`. Deterministic whatever the steps taken to get there. */
  extendTo(nowMs: number): Tx[] {
    const added: Tx[] = [];
    if (nowMs <= this.generatedTo) return added;
    for (const s of this.streams) {
      while (s.nextTs <= nowMs) {
        const ts = Math.floor(s.nextTs / 3000) * 3000; // block timestamps: 3 s slots, whole seconds
        added.push(...this.event(s, ts));
        s.nextTs += s.rng.exp(s.meanGapMs);
      }
    }
    for (const t of this.pending) if (t.ts <= nowMs && t.ts > this.generatedTo) added.push(t);
    this.generatedTo = nowMs;
    added.sort((a, b) => a.ts - b.ts);
    if (this.opts.retain !== false) for (const t of added) this.txs.push(t);
    return added;
  }

  /** One of each anomaly the detectors look for, at fixed places before `at` (the emulator's start). */
  private plant(at: number): void {
    const [, , quiet, small] = this.opts.wallets.map((w) => w.address);
    const slot = (ms: number) => Math.floor(ms / 3000) * 3000;
    const hash = (label: string) => hashFrom(`${this.opts.seed}|planted|${label}`);
    const base = (label: string, ts: number): Omit<Tx, "owner" | "contractType" | "toAddress" | "moves"> => ({
      hash: hash(label),
      ts: slot(ts),
      block: blockOf(slot(ts)),
      ret: "SUCCESS",
      feeSun: 0n,
      risk: false,
    });
    const usdt = (label: string, ts: number, from: string, to: string, raw: bigint): Tx => ({
      ...base(label, ts),
      owner: from,
      contractType: 31,
      toAddress: TOKENS.usdt.id,
      call: { method: "transfer", token: TOKENS.usdt, to, raw, paramKeys: true },
      moves: [{ token: TOKENS.usdt, from, to, raw, via: "event" }],
    });
    const day = DAY_MS;
    const txs: Tx[] = [
      // a real counterparty of HTX-4, then a zero-value USDT transfer from its lookalike
      usdt("poison-setup", at - 9 * day, small, POISON_PAIR.real, 25_000_000_000n),
      usdt("poison", at - 2 * day, POISON_PAIR.lookalike, small, 0n),
      // 5,000,000 USDT into HTX-4, far above its usual
      usdt("large", at - 1.5 * day, addressFrom(`${this.opts.seed}|whale`), small, 5_000_000_000_000n),
      // HTX-4 pays an address it never dealt with
      usdt("new-counterparty", at - 0.8 * day, small, addressFrom(`${this.opts.seed}|brand-new-payee`), 1_234_000_000n),
      // BitPanda, usually ~10 transactions a day, suddenly makes 60 in the last 10 hours
      ...Array.from({ length: 60 }, (_, i) =>
        usdt(
          `burst-${i}`,
          at - 10 * 3_600_000 + i * 600_000,
          quiet,
          addressFrom(`${this.opts.seed}|burst-peer-${i % 3}`),
          10_000_000n,
        ),
      ),
    ];
    txs.push(...this.plantRisk(at, base, usdt));
    this.pending.push(...txs);
    this.planted.push(
      {
        type: "address_poisoning",
        wallet: small,
        transactionId: hash("poison"),
        note: `${POISON_PAIR.lookalike} imitates ${POISON_PAIR.real}`,
      },
      { type: "large_transaction", wallet: small, transactionId: hash("large"), note: "5,000,000 USDT in" },
      {
        type: "new_counterparty",
        wallet: small,
        transactionId: hash("new-counterparty"),
        note: "first payment to a new address",
      },
      { type: "burst_activity", wallet: quiet, transactionId: null, note: "60 transactions in 10 hours" },
    );
  }

  /**
   * Counterparty risk: Bybit paid by an OFAC-listed address; HTX-4 paid by an address Tether freezes later (and whose
   * balance it destroys); freezes of addresses nobody watched, one of them lifted again.
   */
  private plantRisk(
    at: number,
    base: (label: string, ts: number) => Omit<Tx, "owner" | "contractType" | "toAddress" | "moves">,
    usdt: (label: string, ts: number, from: string, to: string, raw: bigint) => Tx,
  ): Tx[] {
    const [, bybit, quiet, small] = this.opts.wallets.map((w) => w.address);
    const day = DAY_MS;
    const frozenPayer = addressFrom(`${this.opts.seed}|frozen-payer`);
    const multisig = addressFrom("tether-multisig-contract");
    const freeze = (label: string, ts: number, b: NonNullable<Tx["blacklist"]>): Tx => {
      const tx: Tx = {
        ...base(label, ts),
        owner: TETHER_MULTISIG,
        contractType: 31,
        toAddress: multisig,
        moves: [],
        blacklist: b,
      };
      for (const x of b)
        this.freezes.push({ kind: x.kind, address: x.user, transactionId: tx.hash, ts: tx.ts, raw: x.raw });
      return tx;
    };
    const stranger = (i: number) => addressFrom(`${this.opts.seed}|frozen-stranger-${i}`);
    // the frozen payer's finding needs the freeze, seen from blocks only: its truth is `freezes`
    this.planted.push({
      type: "listed_counterparty",
      wallet: bybit,
      transactionId: base("sanctioned-in", 0).hash,
      note: `${SANCTIONED_PAYER} is on OFAC SDN`,
    });
    const attacker = addressFrom(`${this.opts.seed}|takeover-key`);
    const drainer = addressFrom(`${this.opts.seed}|drainer-spender`);
    const takeover: Tx = {
      ...base("permission-update", at - 1.5 * day),
      owner: bybit,
      contractType: 46,
      toAddress: "",
      moves: [],
      permissions: {
        owner: { threshold: 1, keys: [{ address: attacker, weight: 1 }] },
        actives: [
          {
            threshold: 2,
            keys: [
              { address: attacker, weight: 1 },
              { address: bybit, weight: 1 },
            ],
          },
        ],
      },
    };
    const approval: Tx = {
      ...base("unlimited-approval", at - 2 * day),
      owner: quiet,
      contractType: 31,
      toAddress: TOKENS.usdt.id,
      moves: [],
      approvalFor: drainer,
      approvalValue: 2n ** 256n - 1n,
    };
    this.planted.push(
      {
        type: "permission_change",
        wallet: bybit,
        transactionId: takeover.hash,
        note: `owner key replaced by ${attacker}`,
      },
      {
        type: "large_approval",
        wallet: quiet,
        transactionId: approval.hash,
        note: `unlimited USDT allowance to ${drainer}`,
      },
    );
    return [
      takeover,
      approval,
      usdt("sanctioned-in", at - 3 * day, SANCTIONED_PAYER, bybit, 15_000_000_000n),
      usdt("frozen-payer-in", at - 6 * day, frozenPayer, small, 40_000_000_000n),
      // after the start, a minute apart: the demo's hour of blocks (and a test's few dozen) holds them all
      freeze("freeze-strangers", at + 20 * 60_000, [
        { kind: "added", user: stranger(1) },
        { kind: "added", user: stranger(2) },
      ]),
      freeze("unfreeze-stranger", at + 21 * 60_000, [{ kind: "removed", user: stranger(2) }]),
      freeze("freeze-payer", at + 22 * 60_000, [{ kind: "added", user: frozenPayer }]),
      freeze("destroy-payer", at + 23 * 60_000, [{ kind: "destroyed", user: frozenPayer, raw: 12_345_678_900n }]),
    ];
  }

  private event(s: Stream, ts: number): Tx[] {
    const kind = s.rng.weighted(this.kinds);
    return EVENTS[kind](eventKit(this.opts.seed, s, ts));
  }
}

/** A mix spec ("usdt_in:50,internal_in:10,failed_usdt:5") as weights; an unknown kind or bad weight is an error. */
export type Mix = Partial<Record<keyof typeof KINDS, number>>;

export function parseMix(spec: string | null | undefined): Mix {
  const mix: Mix = {};
  for (const part of (spec ?? "").split(",").filter(Boolean)) {
    const [k, v] = part.split(":");
    const w = Number(v);
    if (!(k in KINDS)) throw new Error(`unknown kind "${k}": one of ${Object.keys(KINDS).join(", ")}`);
    if (!(w >= 0 && Number.isFinite(w))) throw new Error(`"${part}": the weight must be a number >= 0`);
    mix[k as keyof typeof KINDS] = w;
  }
  return mix;
}
