// A fast path in front of the zod schemas: a record whose fields already have their canonical types
// (as TronScan sends them nearly always) is accepted without zod; anything else goes through zod,
// which does the tolerant conversions and writes the error messages. Both read the one table of shapes
// (raw-schemas.ts SHAPES) and give the same object (tested on every recorded and emulated record).
import {
  type Kind,
  type RawTransaction,
  type RawTransfer,
  type RawTrc20Transfer,
  type Shape,
  SHAPES,
} from "./raw-schemas.ts";

const HASH = /^[0-9a-fA-F]{64}$/;

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
    case "text":
      return typeof v === "string" ? v : FAIL;
    case "optStr":
    case "optText":
      return v == null || typeof v === "string" ? v : FAIL;
    case "optBool":
      return v == null || typeof v === "boolean" ? v : FAIL;
    case "amount":
      return v == null || typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v)) ? v : FAIL;
    case "record":
      return v == null ? v : isObj(v) ? v : FAIL;
    case "tokenInfo":
    case "trigger":
    case "cost":
      return v == null ? v : isObj(v) ? object(SHAPES[kind], v) : FAIL;
  }
}

function object(shape: Shape, r: Record<string, unknown>): Record<string, unknown> | typeof FAIL {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(shape)) {
    const v = r[key];
    if (v === undefined) {
      if (kind === "hash" || kind === "int" || kind === "str" || kind === "text") return FAIL;
      continue;
    }
    const f = field(kind, v);
    if (f === FAIL) return FAIL;
    out[key] = f;
  }
  return out;
}

function fast<T>(shape: Shape, r: unknown): T | null {
  if (!isObj(r)) return null;
  const out = object(shape, r);
  return out === FAIL ? null : (out as T);
}

export const fastTransaction = (r: unknown) => fast<RawTransaction>(SHAPES.transaction, r);
export const fastTransfer = (r: unknown) => fast<RawTransfer>(SHAPES.transfer, r);
export const fastTrc20 = (r: unknown) => fast<RawTrc20Transfer>(SHAPES.trc20, r);
