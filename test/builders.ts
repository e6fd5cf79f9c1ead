// Rows for tests, built from a few fields: everything else is a plausible USDT transfer, and the derived fields
// (id, decimal amount, the transaction's owner and contract) follow from the fields given.
import type { DetectContext } from "../src/anomalies/detector.ts";
import { globalSettings } from "../src/anomalies/settings.ts";
import { parseConfig } from "../src/config/load.ts";
import type { TransferRow } from "../src/model/rows.ts";
import type { Dialect } from "../src/warehouse/types.ts";
import type { ThresholdRule } from "../src/model/alerts.ts";
import { formatUnits } from "../src/model/amount.ts";
import { transferId } from "../src/normalize/common.ts";

export const W = "TNPdqto8HiuMzoG7Vv9wyyYhWzCojLeHAF";
export const PEER = "TU4vEruvZwLLkSfV9bNw12EJTPvNr7Pvaa";
export const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

let seq = 0;
/** A fresh transaction hash (64 hex digits). */
export const nextTx = () => (++seq).toString(16).padStart(64, "0");

/** A transfer: USDT 1.000000 from W to PEER, confirmed and successful, in a fresh transaction, unless told. */
export function buildTransfer(over: Partial<TransferRow> = {}): TransferRow {
  const r: TransferRow = {
    transferId: "",
    transactionId: nextTx(),
    block: 1,
    timestampMs: Date.parse("2026-03-01T00:00:00Z"),
    fromAddress: W,
    toAddress: PEER,
    assetType: "trc20",
    tokenId: USDT,
    tokenSymbol: "USDT",
    tokenName: "Tether USD",
    tokenDecimals: 6,
    amountRaw: "1000000",
    amount: null,
    confirmed: true,
    status: "success",
    risk: false,
    tokenLevel: null,
    source: "trc20",
    observedAtMs: 1,
    txOwner: null,
    txTo: null,
    contractRet: over.status === "failed" ? "REVERT" : "SUCCESS",
    ...over,
  };
  if (!("amount" in over) && r.tokenDecimals !== null) r.amount = formatUnits(BigInt(r.amountRaw), r.tokenDecimals);
  if (!over.transferId)
    r.transferId = transferId(r.transactionId, r.tokenId, r.fromAddress, r.toAddress, r.amountRaw, 0);
  r.txOwner ??= r.fromAddress;
  r.txTo ??= r.tokenId;
  return r;
}

/** A transfer seen from `wallet` (W): incoming from `peer` (PEER) unless `dir` is "out". */
export function movement(
  o: { ts: number; raw: bigint; dir?: "in" | "out"; peer?: string; wallet?: string } & Partial<TransferRow>,
): TransferRow {
  const { ts, raw, dir, peer = PEER, wallet = W, ...over } = o;
  const [fromAddress, toAddress] = dir === "out" ? [wallet, peer] : [peer, wallet];
  return buildTransfer({ fromAddress, toAddress, timestampMs: ts, amountRaw: raw.toString(), ...over });
}

/** Two rules: a 7-day volume of TRX (any direction, every wallet) and a 30-day count of W's incoming transactions. */
export const SAMPLE_RULES: ThresholdRule[] = [
  {
    name: "v",
    kind: "volume",
    periodDays: 7,
    threshold: "1",
    tokenId: "_",
    direction: "any",
    wallets: null,
    enabled: true,
  },
  {
    name: "c",
    kind: "count",
    periodDays: 30,
    threshold: "1",
    tokenId: "_",
    direction: "in",
    wallets: [W],
    enabled: true,
  },
];

/** A detection context for building detector queries without a warehouse: the global settings, wallet W. */
export function detectContext(d: Dialect, over: Partial<DetectContext> = {}): DetectContext {
  return {
    d,
    settings: globalSettings(parseConfig({ wallets: [{ address: W }] })),
    wallets: [W],
    decimals: new Map([["_", 6]]),
    known: [{ tokenId: "_", symbol: "TRX", name: "Tronix" }],
    nowMs: 1.8e12,
    watermarkMs: 1.7e12,
    fresh: { rows: 10, minMs: 1.6e12 },
    windowFromRows: 5,
    ...over,
  };
}
