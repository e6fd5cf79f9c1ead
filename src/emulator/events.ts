// What one generated event is, by kind: the weights the history draws kinds by (KINDS), and per kind the
// transactions it makes (EVENTS). Every builder draws from the stream's own random sequence, so a seed gives
// the same history every time.
import { addressFrom, hashFrom, type Rng } from "./random.ts";
import { blockOf, FEE_COLLECTOR, POOL, ROUTER, type TokenDef, TOKENS, type Tx, VAULT } from "./chain.ts";

/** One watched wallet's event stream. */
export type Stream = { wallet: string; rng: Rng; nextTs: number; meanGapMs: number; seq: number; peers: string[] };

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

export type Kind = keyof typeof KINDS;

/** What a builder works with: the stream's randomness and wallet, and makers of its usual transactions. */
type Kit = {
  r: Rng;
  w: string;
  base: Pick<Tx, "ts" | "block" | "ret" | "feeSun" | "risk">;
  hash(): string;
  /** A counterparty: mostly one of the stream's regulars, sometimes a new address. */
  peer(): string;
  /** An address never seen before, made for `tag` (dust, spam, fake tokens). */
  stranger(tag: string): string;
  usdtAmount(): bigint;
  trxAmount(): bigint;
  native(token: TokenDef, from: string, to: string, raw: bigint, risk?: boolean): Tx;
  trc20(token: TokenDef, from: string, to: string, raw: bigint, ret?: Tx["ret"], risk?: boolean): Tx;
};

export function eventKit(seed: number, s: Stream, ts: number): Kit {
  const r = s.rng;
  const w = s.wallet;
  const hash = () => hashFrom(`${seed}|${w}|${s.seq++}`);
  const base = {
    ts,
    block: blockOf(ts),
    ret: "SUCCESS" as Tx["ret"],
    feeSun: BigInt(r.int(0, 30)) * 100_000n,
    risk: false,
  };
  return {
    r,
    w,
    base,
    hash,
    peer: () => (r.next() < 0.9 ? r.pick(s.peers) : addressFrom(`${seed}|${w}|fresh${s.seq}`)),
    stranger: (tag) => addressFrom(`${seed}|${tag}${s.seq}`),
    usdtAmount: () => BigInt(Math.floor(Math.exp(r.next() * 11 + 2))) * 1_000_000n + BigInt(r.int(0, 999_999)),
    trxAmount: () => BigInt(Math.floor(Math.exp(r.next() * 9 + 1))) * 1_000_000n + BigInt(r.int(0, 999_999)),
    native: (token, from, to, raw, risk = false) => ({
      ...base,
      hash: hash(),
      owner: from,
      contractType: token.kind === "trx" ? 1 : 2,
      toAddress: to,
      risk,
      moves: [{ token, from, to, raw, via: "native" }],
    }),
    trc20: (token, from, to, raw, ret = "SUCCESS", risk = false) => ({
      ...base,
      hash: hash(),
      owner: from,
      contractType: 31,
      toAddress: token.id,
      ret,
      risk,
      call: { method: "transfer", token, to, raw, paramKeys: r.next() < 0.9 },
      moves: ret === "SUCCESS" ? [{ token, from, to, raw, via: "event" }] : [],
    }),
  };
}

/** A contract call by `owner` to `to` moving `moves` (swaps, withdrawals, batch payouts). */
const call = (
  k: Kit,
  owner: string,
  to: string,
  method: NonNullable<Tx["call"]>["method"],
  moves: Tx["moves"],
): Tx => ({
  ...k.base,
  hash: k.hash(),
  owner,
  contractType: 31,
  toAddress: to,
  call: { method },
  moves,
});

/** `owner`'s withdraw() call on the vault paying the wallet TRX inside it (an internal transaction `h|internal|0`). */
function vaultWithdrawal(k: Kit, h: string, owner: string): Tx {
  const move = { token: TOKENS.trx, from: VAULT, to: k.w, raw: k.trxAmount(), via: "internal" as const };
  return {
    ...k.base,
    hash: h,
    owner,
    contractType: 31,
    toAddress: VAULT,
    call: { method: "withdraw" },
    moves: [{ ...move, internalHash: hashFrom(`${h}|internal|0`) }],
  };
}

export const EVENTS: Record<Kind, (k: Kit) => Tx[]> = {
  trx_out: (k) => [k.native(TOKENS.trx, k.w, k.peer(), k.trxAmount())],
  trx_in: (k) => [k.native(TOKENS.trx, k.peer(), k.w, k.trxAmount())],
  trc10_in: (k) => [k.native(TOKENS.bttold, k.peer(), k.w, BigInt(k.r.int(1, 5_000_000)) * 1000n)],
  trc10_out: (k) => [k.native(TOKENS.bttold, k.w, k.peer(), BigInt(k.r.int(1, 5_000_000)) * 1000n)],
  usdt_out: (k) => [k.trc20(TOKENS.usdt, k.w, k.peer(), k.usdtAmount())],
  usdt_in: (k) => [k.trc20(TOKENS.usdt, k.peer(), k.w, k.usdtAmount())],
  usdc_in: (k) => [k.trc20(TOKENS.usdc, k.peer(), k.w, k.usdtAmount())],
  jst_out: (k) => [k.trc20(TOKENS.jst, k.w, k.peer(), BigInt(k.r.int(1, 900_000)) * 10n ** 18n + 123456789012345678n)],
  failed_usdt: (k) => [
    k.trc20(TOKENS.usdt, k.w, k.peer(), k.usdtAmount(), k.r.next() < 0.5 ? "REVERT" : "OUT_OF_ENERGY"),
  ],
  dust_trx: (k) => [k.native(TOKENS.trx, k.stranger("dust"), k.w, BigInt(k.r.int(1, 10)), true)],
  spam10: (k) => [k.native(TOKENS.spam10, k.stranger("spam"), k.w, BigInt(k.r.int(1, 1000)), true)],
  fake_usdt: (k) => [k.trc20(TOKENS.fakeUsdt, k.stranger("fake"), k.w, k.usdtAmount(), "SUCCESS", true)],
  nft_in: (k) => [k.trc20(TOKENS.nft, k.peer(), k.w, BigInt(k.r.int(1, 99_999)))],
  gift: (k) => [k.trc20(TOKENS.gift, k.stranger("gift"), k.w, 2n ** 255n + BigInt(k.r.int(0, 1e9)), "SUCCESS", true)],
  stake: (k) => [
    {
      ...k.base,
      hash: k.hash(),
      owner: k.w,
      contractType: k.r.pick([57, 58, 54]),
      toAddress: "",
      moves: [],
      stake: { balance: k.trxAmount() * 100n, receiver: k.peer() },
    },
  ],
  approval: (k) => {
    const t = k.trc20(TOKENS.usdt, k.w, ROUTER, 0n);
    return [{ ...t, call: undefined, toAddress: TOKENS.usdt.id, moves: [], approvalFor: ROUTER }];
  },
  swap: (k) => {
    const amtIn = k.usdtAmount();
    const amtOut = BigInt(k.r.int(1, 500_000)) * 10n ** 18n;
    return [
      call(k, k.w, ROUTER, "swap", [
        { token: TOKENS.usdt, from: k.w, to: POOL, raw: amtIn, via: "event" },
        { token: TOKENS.jst, from: POOL, to: k.w, raw: amtOut, via: "event" },
      ]),
    ];
  },
  swap_trx: (k) => {
    const trxIn = k.trxAmount();
    return [
      call(k, k.w, ROUTER, "swap", [
        { token: TOKENS.trx, from: k.w, to: ROUTER, raw: trxIn, via: "call_value" },
        { token: TOKENS.usdt, from: POOL, to: k.w, raw: k.usdtAmount(), via: "event" },
      ]),
    ];
  },
  // a contract pays the wallet TRX inside someone's call (a vault withdrawal): /api/internal-transaction only
  internal_in: (k) => {
    const caller = k.peer();
    const h = k.hash();
    const t = vaultWithdrawal(k, h, caller);
    return [{ ...t, internalCalls: [{ hash: hashFrom(`${h}|internal|1`), from: VAULT, to: k.w }] }];
  },
  // the same, reverted: the internal transaction is listed as rejected and moved nothing
  internal_rejected: (k) => {
    const h = k.hash();
    const owner = k.peer();
    const t = vaultWithdrawal(k, h, owner);
    return [{ ...t, ret: "REVERT" }];
  },
  twin_payout: (k) => {
    // one transaction emitting two identical USDT Transfers (a batch contract paying one address twice)
    const to = k.peer();
    const raw = k.usdtAmount();
    return [
      call(k, k.w, ROUTER, "multisend", [
        { token: TOKENS.usdt, from: k.w, to, raw, via: "event" },
        { token: TOKENS.usdt, from: k.w, to, raw, via: "event" },
      ]),
    ];
  },
  fee_token_out: (k) => {
    // transfer(to, x) on a fee-on-transfer token: the events (x - 2% to `to`, 2% to the collector) are the truth
    const to = k.peer();
    const raw = BigInt(k.r.int(100, 100_000)) * 1_000_000n;
    const fee = raw / 50n;
    const t = call(k, k.w, TOKENS.feeToken.id, "transfer", [
      { token: TOKENS.feeToken, from: k.w, to, raw: raw - fee, via: "event" },
      { token: TOKENS.feeToken, from: k.w, to: FEE_COLLECTOR, raw: fee, via: "event" },
    ]);
    return [{ ...t, call: { method: "transfer", token: TOKENS.feeToken, to, raw, paramKeys: true } }];
  },
  twin_batch: (k) =>
    Array.from({ length: k.r.int(60, 120) }, () => {
      const t = k.trc20(TOKENS.usdt, k.w, k.peer(), k.usdtAmount());
      if (k.r.next() >= 1 / 8) return t;
      const m = t.moves[0];
      return { ...t, toAddress: ROUTER, call: { method: "multisend" as const }, moves: [m, { ...m }] };
    }),
  // An exchange batch payout: many USDT transfers in one block (tests paging through timestamp ties).
  payout_batch: (k) =>
    Array.from({ length: k.r.int(55, 120) }, () => k.trc20(TOKENS.usdt, k.w, k.peer(), k.usdtAmount())),
};
