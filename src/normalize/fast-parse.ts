// A fast path in front of the zod schemas: a record whose fields already have their canonical types
// (as TronScan sends them nearly always) is accepted without zod; anything else goes through zod,
// which does the tolerant conversions and writes the error messages. Both give the same object
// (tested on every recorded and emulated record).
import type { RawTransaction, RawTransfer, RawTrc20Transfer } from "./raw-schemas.ts";

type Kind =
  | "hash"
  | "int"
  | "optInt"
  | "str"
  | "optStr"
  | "optBool"
  | "amount"
  | "tokenInfo"
  | "trigger"
  | "record"
  | "cost";
type Spec = readonly (readonly [string, Kind])[];

const HASH = /^[0-9a-fA-F]{64}$/;
const TOKEN_INFO: Spec = [
  ["tokenId", "optStr"],
  ["tokenAbbr", "optStr"],
  ["tokenName", "optStr"],
  ["tokenDecimal", "optInt"],
  ["tokenType", "optStr"],
  ["tokenLevel", "optStr"],
];
const TRIGGER: Spec = [
  ["method", "optStr"],
  ["methodName", "optStr"],
  ["data", "optStr"],
  ["parameter", "record"],
  ["contract_address", "optStr"],
  ["call_value", "amount"],
];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const FAIL = Symbol("fail");

function field(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case "hash":
      return typeof v === "string" && HASH.test(v) ? v : FAIL;
    case "int":
      return typeof v === "number" && Number.isSafeInteger(v) ? v : FAIL;
    case "optInt":
      return v == null || (typeof v === "number" && Number.isSafeInteger(v)) ? v : FAIL;
    case "str":
      return typeof v === "string" ? v : FAIL;
    case "optStr":
      return v == null || typeof v === "string" ? v : FAIL;
    case "optBool":
      return v == null || typeof v === "boolean" ? v : FAIL;
    case "amount":
      return v == null || typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v)) ? v : FAIL;
    case "record":
      return v == null ? v : isObj(v) ? v : FAIL;
    case "tokenInfo":
      return v == null ? v : isObj(v) ? object(TOKEN_INFO, v) : FAIL;
    case "trigger":
      return v == null ? v : isObj(v) ? object(TRIGGER, v) : FAIL;
    case "cost":
      return v == null ? v : isObj(v) ? object([["fee", "amount"]], v) : FAIL;
  }
}

function object(spec: Spec, r: Record<string, unknown>): Record<string, unknown> | typeof FAIL {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of spec) {
    const v = r[key];
    if (v === undefined) {
      if (kind === "hash" || kind === "int" || kind === "str") return FAIL;
      continue;
    }
    const f = field(kind, v);
    if (f === FAIL) return FAIL;
    out[key] = f;
  }
  return out;
}

const TRANSACTION: Spec = [
  ["hash", "hash"],
  ["block", "optInt"],
  ["timestamp", "int"],
  ["ownerAddress", "str"],
  ["toAddress", "optStr"],
  ["contractType", "int"],
  ["confirmed", "optBool"],
  ["revert", "optBool"],
  ["contractRet", "optStr"],
  ["result", "optStr"],
  ["amount", "amount"],
  ["contractData", "record"],
  ["cost", "cost"],
  ["tokenInfo", "tokenInfo"],
  ["trigger_info", "trigger"],
  ["riskTransaction", "optBool"],
];
const TRANSFER: Spec = [
  ["transactionHash", "hash"],
  ["block", "optInt"],
  ["timestamp", "int"],
  ["transferFromAddress", "str"],
  ["transferToAddress", "str"],
  ["amount", "amount"],
  ["tokenName", "str"],
  ["confirmed", "optBool"],
  ["contractRet", "optStr"],
  ["revert", "optBool"],
  ["tokenInfo", "tokenInfo"],
  ["riskTransaction", "optBool"],
];
const TRC20: Spec = [
  ["transaction_id", "hash"],
  ["block", "optInt"],
  ["block_ts", "int"],
  ["from_address", "str"],
  ["to_address", "str"],
  ["contract_address", "str"],
  ["quant", "amount"],
  ["event_type", "optStr"],
  ["confirmed", "optBool"],
  ["contractRet", "optStr"],
  ["finalResult", "optStr"],
  ["revert", "optBool"],
  ["tokenInfo", "tokenInfo"],
  ["trigger_info", "trigger"],
  ["riskTransaction", "optBool"],
];

function fast<T>(spec: Spec, r: unknown): T | null {
  if (!isObj(r)) return null;
  const out = object(spec, r);
  return out === FAIL ? null : (out as T);
}

export const fastTransaction = (r: unknown) => fast<RawTransaction>(TRANSACTION, r);
export const fastTransfer = (r: unknown) => fast<RawTransfer>(TRANSFER, r);
export const fastTrc20 = (r: unknown) => fast<RawTrc20Transfer>(TRC20, r);
