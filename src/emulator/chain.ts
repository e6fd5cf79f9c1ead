// The emulated chain's vocabulary: its tokens, a transaction with its value movements (the ground truth), block
// numbers and times, and the contracts the generated history calls.
import { addressFrom } from "./random.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";

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
  /** approve's value (default 0xffffffff). */
  approvalValue?: bigint;
  /** An AccountPermissionUpdateContract's new permissions (contract type 46). */
  permissions?: {
    owner: { threshold: number; keys: { address: string; weight: number }[] };
    actives: { threshold: number; keys: { address: string; weight: number }[] }[];
  };
  /** Tether's blacklist logs of the USDT contract this transaction emits (its owner is Tether's multisig). */
  blacklist?: { kind: "added" | "removed" | "destroyed"; user: string; raw?: bigint }[];
  stake?: { balance: bigint; receiver: string };
  feeSun: bigint;
  risk: boolean;
};

const GENESIS_BLOCK = 70_000_000;
const GENESIS_MS = Date.UTC(2025, 0, 1);
export const blockOf = (ts: number) => GENESIS_BLOCK + Math.floor((ts - GENESIS_MS) / 3000);
/** The time of block `n`: the start of its 3-second slot (a multiple of 3 s, as on mainnet). */
export const blockTimeMs = (n: number) => GENESIS_MS + (n - GENESIS_BLOCK) * 3000;
export const ROUTER = addressFrom("sunswap-router");
export const VAULT = addressFrom("staking-vault-contract");
export const FEE_COLLECTOR = addressFrom("fee-token-collector");
export const POOL = addressFrom("sunswap-pool-usdt-jst");
