// Deterministic synthetic TRON history for the emulator: per-wallet event streams generated from a seed,
// extended as the emulator's clock moves. Each transaction knows its value movements (the ground truth).
import { addressFrom, hashFrom, Rng } from "./random.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";
import { DAY_MS } from "../model/time.ts";

export type TokenDef = {
  id: string;
  kind: "trx" | "trc10" | "trc20" | "trc721";
  abbr: string;
  name: string;
  decimals: number;
  level: string;
  paramKeys?: [string, string];
  risk?: boolean;
};

export const TOKENS = {
  trx: { id: "_", kind: "trx", abbr: "trx", name: "trx", decimals: 6, level: "2" },
  bttold: { id: "1002000", kind: "trc10", abbr: "BTTOLD", name: "BitTorrentOld", decimals: 6, level: "2" },
  spam10: { id: "1005141", kind: "trc10", abbr: "tron.ink", name: "tron.ink", decimals: 0, level: "4", risk: true },
  usdt: {
    id: USDT_CONTRACT,
    kind: "trc20",
    abbr: "USDT",
    name: "Tether USD",
    decimals: 6,
    level: "2",
    paramKeys: ["_to", "_value"],
  },
  usdc: {
    id: "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8",
    kind: "trc20",
    abbr: "USDC",
    name: "USD Coin",
    decimals: 6,
    level: "2",
    paramKeys: ["to", "value"],
  },
  jst: {
    id: "TCFLL5dx5ZJdKnWuesXxi1VPwjLVmWZZy9",
    kind: "trc20",
    abbr: "JST",
    name: "JUST",
    decimals: 18,
    level: "2",
    paramKeys: ["dst", "wad"],
  },
  fakeUsdt: {
    id: addressFrom("fake-usdt"),
    kind: "trc20",
    abbr: "USDT",
    name: "Tether USD",
    decimals: 6,
    level: "0",
    paramKeys: ["recipient", "amount"],
    risk: true,
  },
  gift: {
    id: addressFrom("scam-gift-token"),
    kind: "trc20",
    abbr: "GIFT",
    name: "<img src=x onerror=alert(1)>",
    decimals: 18,
    level: "4",
    paramKeys: ["to", "amount"],
    risk: true,
  },
  /** A fee-on-transfer token: a transfer(to, x) call moves x minus 2% to `to` and 2% to the token's collector. */
  feeToken: {
    id: addressFrom("fee-on-transfer-token"),
    kind: "trc20",
    abbr: "SAFEMOON",
    name: "Fee On Transfer",
    decimals: 6,
    level: "1",
    paramKeys: ["to", "amount"],
  },
  /** A TRC721 collection: a Transfer moves one token, its id the amount TronScan lists and the log's fourth topic. */
  nft: {
    id: addressFrom("apenft-collection"),
    kind: "trc721",
    abbr: "NFTC",
    name: "Some Collection",
    decimals: 0,
    level: "1",
    paramKeys: ["to", "tokenId"],
  },
} as const satisfies Record<string, TokenDef>;

/**
 * `internal`: TRX moved by a contract inside a call (listed by /api/internal-transaction only); `internalHash` names
 * it.
 */
export type Move = {
  token: TokenDef;
  from: string;
  to: string;
  raw: bigint;
  via: "native" | "event" | "call_value" | "internal";
  internalHash?: string;
};

export type Tx = {
  hash: string;
  ts: number;
  block: number;
  owner: string;
  contractType: number;
  toAddress: string;
  call?: {
    method: "transfer" | "swap" | "withdraw" | "multisend";
    token?: TokenDef;
    to?: string;
    raw?: bigint;
    paramKeys?: boolean;
  };
  /** Zero-value internal calls (listed by /api/internal-transaction, moving nothing). */
  internalCalls?: { hash: string; from: string; to: string }[];
  ret: "SUCCESS" | "REVERT" | "OUT_OF_ENERGY";
  moves: Move[];
  approvalFor?: string;
  stake?: { balance: bigint; receiver: string };
  feeSun: bigint;
  risk: boolean;
};

export const ORIGINAL_WALLETS = [
  { address: "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF", label: "Binance-Cold 4", perHour: 24 },
  { address: "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa", label: "Bybit", perHour: 1.2 },
  { address: "TWpqsYjAw7rFPmWeZcwKQanCS6Kk8f5dhT", label: "BitPanda", perHour: 0.4 },
  { address: "TFTWNgDBkQ5wQoP8RXpRznnHvAVV8x5jLu", label: "HTX-4", perHour: 0.8 },
];

const GENESIS_BLOCK = 70_000_000;
const GENESIS_MS = Date.UTC(2025, 0, 1);
export const blockOf = (ts: number) => GENESIS_BLOCK + Math.floor((ts - GENESIS_MS) / 3000);
/** The time of block `n`: the start of its 3-second slot (a multiple of 3 s, as on mainnet). */
export const blockTimeMs = (n: number) => GENESIS_MS + (n - GENESIS_BLOCK) * 3000;
const ROUTER = addressFrom("sunswap-router");
const VAULT = addressFrom("staking-vault-contract");
const FEE_COLLECTOR = addressFrom("fee-token-collector");
const POOL = addressFrom("sunswap-pool-usdt-jst");

type Stream = { wallet: string; rng: Rng; nextTs: number; meanGapMs: number; seq: number; peers: string[] };

/** What the generated activity is made of, by weight; `mix` (emulator --mix) overrides any of them. */
export const KINDS = {
  trx_out: 8,
  trx_in: 8,
  trc10_in: 2,
  trc10_out: 1,
  usdt_out: 25,
  usdt_in: 30,
  usdc_in: 4,
  jst_out: 2,
  swap: 3,
  swap_trx: 1,
  failed_usdt: 2,
  stake: 4,
  dust_trx: 2,
  fake_usdt: 2,
  spam10: 1,
  gift: 1,
  approval: 1,
  payout_batch: 0.3,
  internal_in: 2,
  internal_rejected: 0.3,
  twin_payout: 0.5,
  fee_token_out: 0.5,
  /** TRC721 received (0 by default: --mix nft_in:N). */
  nft_in: 0,
  /** A payout batch of 60-120 transactions in one block, one in eight paying its address twice (twins inside a tie
   *  larger than any page: 0 by default, `npm run soak:loss` with SOAK_MIX uses it). */
  twin_batch: 0,
};

/** Two valid addresses sharing their first 4 and last 4 characters (found by a birthday search). */
export const POISON_PAIR = {
  real: "TA1VZw1X99TcBptrTQ6LxKyumwX9opkAA9",
  lookalike: "TA1VS6anwuTSiCuYtGqkoLAWhAPVP6kAA9",
};

export type Planted = { type: string; wallet: string; transactionId: string | null; note: string };

export class History {
  readonly txs: Tx[] = [];
  /** Anomalies planted in the history on purpose (the ground truth for the detectors). */
  readonly planted: Planted[] = [];
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

  private event(s: Stream, ts: number): Tx[] {
    const r = s.rng;
    const w = s.wallet;
    const kind = r.weighted(this.kinds);
    const hash = () => hashFrom(`${this.opts.seed}|${w}|${s.seq++}`);
    const peer = () => (r.next() < 0.9 ? r.pick(s.peers) : addressFrom(`${this.opts.seed}|${w}|fresh${s.seq}`));
    const usdtAmount = () => BigInt(Math.floor(Math.exp(r.next() * 11 + 2))) * 1_000_000n + BigInt(r.int(0, 999_999));
    const trxAmount = () => BigInt(Math.floor(Math.exp(r.next() * 9 + 1))) * 1_000_000n + BigInt(r.int(0, 999_999));
    const base = {
      ts,
      block: blockOf(ts),
      ret: "SUCCESS" as Tx["ret"],
      feeSun: BigInt(r.int(0, 30)) * 100_000n,
      risk: false,
    };
    const native = (token: TokenDef, from: string, to: string, raw: bigint, risk = false): Tx => ({
      ...base,
      hash: hash(),
      owner: from,
      contractType: token.kind === "trx" ? 1 : 2,
      toAddress: to,
      risk,
      moves: [{ token, from, to, raw, via: "native" }],
    });
    const trc20 = (
      token: TokenDef,
      from: string,
      to: string,
      raw: bigint,
      ret: Tx["ret"] = "SUCCESS",
      risk = false,
    ): Tx => ({
      ...base,
      hash: hash(),
      owner: from,
      contractType: 31,
      toAddress: token.id,
      ret,
      risk,
      call: { method: "transfer", token, to, raw, paramKeys: r.next() < 0.9 },
      moves: ret === "SUCCESS" ? [{ token, from, to, raw, via: "event" }] : [],
    });
    switch (kind) {
      case "trx_out":
        return [native(TOKENS.trx, w, peer(), trxAmount())];
      case "trx_in":
        return [native(TOKENS.trx, peer(), w, trxAmount())];
      case "trc10_in":
        return [native(TOKENS.bttold, peer(), w, BigInt(r.int(1, 5_000_000)) * 1000n)];
      case "trc10_out":
        return [native(TOKENS.bttold, w, peer(), BigInt(r.int(1, 5_000_000)) * 1000n)];
      case "usdt_out":
        return [trc20(TOKENS.usdt, w, peer(), usdtAmount())];
      case "usdt_in":
        return [trc20(TOKENS.usdt, peer(), w, usdtAmount())];
      case "usdc_in":
        return [trc20(TOKENS.usdc, peer(), w, usdtAmount())];
      case "jst_out":
        return [trc20(TOKENS.jst, w, peer(), BigInt(r.int(1, 900_000)) * 10n ** 18n + 123456789012345678n)];
      case "failed_usdt":
        return [trc20(TOKENS.usdt, w, peer(), usdtAmount(), r.next() < 0.5 ? "REVERT" : "OUT_OF_ENERGY")];
      case "dust_trx":
        return [native(TOKENS.trx, addressFrom(`${this.opts.seed}|dust${s.seq}`), w, BigInt(r.int(1, 10)), true)];
      case "spam10":
        return [native(TOKENS.spam10, addressFrom(`${this.opts.seed}|spam${s.seq}`), w, BigInt(r.int(1, 1000)), true)];
      case "fake_usdt":
        return [
          trc20(TOKENS.fakeUsdt, addressFrom(`${this.opts.seed}|fake${s.seq}`), w, usdtAmount(), "SUCCESS", true),
        ];
      case "nft_in":
        return [trc20(TOKENS.nft, peer(), w, BigInt(r.int(1, 99_999)))];
      case "gift":
        return [
          trc20(
            TOKENS.gift,
            addressFrom(`${this.opts.seed}|gift${s.seq}`),
            w,
            2n ** 255n + BigInt(r.int(0, 1e9)),
            "SUCCESS",
            true,
          ),
        ];
      case "stake":
        return [
          {
            ...base,
            hash: hash(),
            owner: w,
            contractType: r.pick([57, 58, 54]),
            toAddress: "",
            moves: [],
            stake: { balance: trxAmount() * 100n, receiver: peer() },
          },
        ];
      case "approval": {
        const t = trc20(TOKENS.usdt, w, ROUTER, 0n);
        return [{ ...t, call: undefined, toAddress: TOKENS.usdt.id, moves: [], approvalFor: ROUTER }];
      }
      case "swap": {
        const amtIn = usdtAmount();
        const amtOut = BigInt(r.int(1, 500_000)) * 10n ** 18n;
        return [
          {
            ...base,
            hash: hash(),
            owner: w,
            contractType: 31,
            toAddress: ROUTER,
            call: { method: "swap" },
            moves: [
              { token: TOKENS.usdt, from: w, to: POOL, raw: amtIn, via: "event" },
              { token: TOKENS.jst, from: POOL, to: w, raw: amtOut, via: "event" },
            ],
          },
        ];
      }
      case "swap_trx": {
        const trxIn = trxAmount();
        return [
          {
            ...base,
            hash: hash(),
            owner: w,
            contractType: 31,
            toAddress: ROUTER,
            call: { method: "swap" },
            moves: [
              { token: TOKENS.trx, from: w, to: ROUTER, raw: trxIn, via: "call_value" },
              { token: TOKENS.usdt, from: POOL, to: w, raw: usdtAmount(), via: "event" },
            ],
          },
        ];
      }
      case "internal_in": {
        // a contract pays the wallet TRX inside someone's call (a vault withdrawal): /api/internal-transaction only
        const caller = peer();
        const h = hash();
        return [
          {
            ...base,
            hash: h,
            owner: caller,
            contractType: 31,
            toAddress: VAULT,
            call: { method: "withdraw" },
            moves: [
              {
                token: TOKENS.trx,
                from: VAULT,
                to: w,
                raw: trxAmount(),
                via: "internal",
                internalHash: hashFrom(`${h}|internal|0`),
              },
            ],
            internalCalls: [{ hash: hashFrom(`${h}|internal|1`), from: VAULT, to: w }],
          },
        ];
      }
      case "internal_rejected": {
        // the same, reverted: the internal transaction is listed as rejected and moved nothing
        const h = hash();
        return [
          {
            ...base,
            hash: h,
            owner: peer(),
            contractType: 31,
            toAddress: VAULT,
            ret: "REVERT",
            call: { method: "withdraw" },
            moves: [
              {
                token: TOKENS.trx,
                from: VAULT,
                to: w,
                raw: trxAmount(),
                via: "internal",
                internalHash: hashFrom(`${h}|internal|0`),
              },
            ],
          },
        ];
      }
      case "twin_payout": {
        // one transaction emitting two identical USDT Transfers (a batch contract paying one address twice)
        const to = peer();
        const raw = usdtAmount();
        return [
          {
            ...base,
            hash: hash(),
            owner: w,
            contractType: 31,
            toAddress: ROUTER,
            call: { method: "multisend" },
            moves: [
              { token: TOKENS.usdt, from: w, to, raw, via: "event" },
              { token: TOKENS.usdt, from: w, to, raw, via: "event" },
            ],
          },
        ];
      }
      case "fee_token_out": {
        // transfer(to, x) on a fee-on-transfer token: the events (x - 2% to `to`, 2% to the collector) are the truth
        const to = peer();
        const raw = BigInt(r.int(100, 100_000)) * 1_000_000n;
        const fee = raw / 50n;
        return [
          {
            ...base,
            hash: hash(),
            owner: w,
            contractType: 31,
            toAddress: TOKENS.feeToken.id,
            call: { method: "transfer", token: TOKENS.feeToken, to, raw, paramKeys: true },
            moves: [
              { token: TOKENS.feeToken, from: w, to, raw: raw - fee, via: "event" },
              { token: TOKENS.feeToken, from: w, to: FEE_COLLECTOR, raw: fee, via: "event" },
            ],
          },
        ];
      }
      case "twin_batch": {
        const n = r.int(60, 120);
        return Array.from({ length: n }, () => {
          const t = trc20(TOKENS.usdt, w, peer(), usdtAmount());
          if (r.next() >= 1 / 8) return t;
          const m = t.moves[0];
          return { ...t, toAddress: ROUTER, call: { method: "multisend" as const }, moves: [m, { ...m }] };
        });
      }
      case "payout_batch": {
        // An exchange batch payout: many USDT transfers in one block (tests paging through timestamp ties).
        const n = r.int(55, 120);
        return Array.from({ length: n }, () => trc20(TOKENS.usdt, w, peer(), usdtAmount()));
      }
    }
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
