// Raw record shapes as TronScan sends them, each defined once as a table of field kinds (SHAPES). From it come the
// zod schemas (tolerant of number-or-string, bool-or-0/1 and missing fields; they write the error messages) and
// fast-parse.ts's check for records already in canonical types.
import { z } from "zod";

/** What a field may hold. Required: hash, int, str, text; the others may be missing or null. */
export type Kind =
  | "hash"
  | "int"
  | "optInt"
  | "str"
  | "text"
  | "optStr"
  | "optText"
  | "optBool"
  | "amount"
  | "tokenInfo"
  | "trigger"
  | "record"
  | "cost";
export type Shape = Readonly<Record<string, Kind>>;

const TOKEN_INFO = {
  tokenId: "optText",
  tokenAbbr: "optStr",
  tokenName: "optStr",
  tokenDecimal: "optInt",
  tokenType: "optStr",
  tokenLevel: "optText",
} as const satisfies Shape;
const TRIGGER = {
  method: "optStr",
  methodName: "optStr",
  data: "optStr",
  parameter: "record",
  contract_address: "optStr",
  call_value: "amount",
} as const satisfies Shape;
const COST = { fee: "amount" } as const satisfies Shape;

export const SHAPES = {
  tokenInfo: TOKEN_INFO,
  trigger: TRIGGER,
  cost: COST,
  transaction: {
    hash: "hash",
    block: "optInt",
    timestamp: "int",
    ownerAddress: "str",
    toAddress: "optStr",
    contractType: "int",
    confirmed: "optBool",
    revert: "optBool",
    contractRet: "optStr",
    result: "optStr",
    amount: "amount",
    contractData: "record",
    cost: "cost",
    tokenInfo: "tokenInfo",
    trigger_info: "trigger",
    riskTransaction: "optBool",
  },
  transfer: {
    transactionHash: "hash",
    block: "optInt",
    timestamp: "int",
    transferFromAddress: "str",
    transferToAddress: "str",
    amount: "amount",
    tokenName: "text",
    confirmed: "optBool",
    contractRet: "optStr",
    revert: "optBool",
    tokenInfo: "tokenInfo",
    riskTransaction: "optBool",
  },
  trc20: {
    transaction_id: "hash",
    block: "optInt",
    block_ts: "int",
    from_address: "str",
    to_address: "str",
    contract_address: "str",
    quant: "amount",
    event_type: "optStr",
    confirmed: "optBool",
    contractRet: "optStr",
    finalResult: "optStr",
    revert: "optBool",
    tokenInfo: "tokenInfo",
    trigger_info: "trigger",
    riskTransaction: "optBool",
  },
} as const satisfies Record<string, Shape>;

const intLike = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const boolLike = z
  .union([z.boolean(), z.number(), z.string()])
  .transform((v) => v === true || v === 1 || v === "1" || v === "true");
const text = z.union([z.string(), z.number()]).transform(String);
/** Amounts stay strings (or numbers within the safe range): bigints are built later. */
const amountLike = z.union([z.string(), z.number(), z.bigint()]).nullish();
const record = z.record(z.string(), z.unknown()).nullish().catch(null);
const hex64 = (name: string) => z.string().regex(/^[0-9a-fA-F]{64}$/, `${name} must be 64 hex characters`);

/** The kinds of plain fields; the nested records (token info, trigger info, cost) are made of these only. */
const LEAF = {
  hash: z.string(),
  int: intLike,
  optInt: intLike.nullish(),
  str: z.string(),
  text,
  optStr: z.string().nullish(),
  optText: text.nullish(),
  optBool: boolLike.nullish(),
  amount: amountLike,
  record,
};
type LeafShape = Readonly<Record<string, keyof typeof LEAF>>;
type Fields<S extends Shape, M extends Record<string, z.ZodType>> = { [K in keyof S]: M[S[K] & keyof M] };

function fieldsOf<S extends Shape, M extends Record<string, z.ZodType>>(shape: S, kinds: M): Fields<S, M> {
  const entries = Object.entries(shape).map(([name, kind]) => [name, kind === "hash" ? hex64(name) : kinds[kind]]);
  return Object.fromEntries(entries) as Fields<S, M>;
}

const nested = <S extends LeafShape>(shape: S) => z.object(fieldsOf(shape, LEAF)).nullish().catch(null);
const tokenInfoSchema = nested(TOKEN_INFO);
const ZOD = { ...LEAF, tokenInfo: tokenInfoSchema, trigger: nested(TRIGGER), cost: nested(COST) };

export type RawTokenInfo = z.infer<typeof tokenInfoSchema>;
export const transactionRecordSchema = z.object(fieldsOf(SHAPES.transaction, ZOD));
export type RawTransaction = z.infer<typeof transactionRecordSchema>;
export const transferRecordSchema = z.object(fieldsOf(SHAPES.transfer, ZOD));
export type RawTransfer = z.infer<typeof transferRecordSchema>;
export const trc20RecordSchema = z.object(fieldsOf(SHAPES.trc20, ZOD));
export type RawTrc20Transfer = z.infer<typeof trc20RecordSchema>;

/** One line per problem: "field: message". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`).join("; ");
}
