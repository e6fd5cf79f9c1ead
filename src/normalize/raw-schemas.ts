// Raw record shapes as TronScan sends them: tolerant of number-or-string, bool-or-0/1 and missing fields.
import { z } from "zod";

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
const str = z.string();
const optStr = z.string().nullish();
/** Amounts stay strings (or numbers within the safe range): bigints are built later. */
const amountLike = z.union([z.string(), z.number(), z.bigint()]).nullish();

export const tokenInfoSchema = z
  .object({
    tokenId: z.union([z.string(), z.number()]).transform(String).nullish(),
    tokenAbbr: optStr,
    tokenName: optStr,
    tokenDecimal: intLike.nullish(),
    tokenType: optStr,
    tokenLevel: z.union([z.string(), z.number()]).transform(String).nullish(),
  })
  .nullish()
  .catch(null);
export type RawTokenInfo = z.infer<typeof tokenInfoSchema>;

const triggerInfoSchema = z
  .object({
    method: optStr,
    methodName: optStr,
    data: optStr,
    parameter: z.record(z.string(), z.unknown()).nullish().catch(null),
    contract_address: optStr,
    call_value: amountLike,
  })
  .nullish()
  .catch(null);

export const transactionRecordSchema = z.object({
  hash: str.regex(/^[0-9a-fA-F]{64}$/, "hash must be 64 hex characters"),
  block: intLike.nullish(),
  timestamp: intLike,
  ownerAddress: str,
  toAddress: optStr,
  contractType: intLike,
  confirmed: boolLike.nullish(),
  revert: boolLike.nullish(),
  contractRet: optStr,
  result: optStr,
  amount: amountLike,
  contractData: z.record(z.string(), z.unknown()).nullish().catch(null),
  cost: z.object({ fee: amountLike }).nullish().catch(null),
  tokenInfo: tokenInfoSchema,
  trigger_info: triggerInfoSchema,
  riskTransaction: boolLike.nullish(),
});
export type RawTransaction = z.infer<typeof transactionRecordSchema>;

export const transferRecordSchema = z.object({
  transactionHash: str.regex(/^[0-9a-fA-F]{64}$/, "transactionHash must be 64 hex characters"),
  block: intLike.nullish(),
  timestamp: intLike,
  transferFromAddress: str,
  transferToAddress: str,
  amount: amountLike,
  tokenName: z.union([z.string(), z.number()]).transform(String),
  confirmed: boolLike.nullish(),
  contractRet: optStr,
  revert: boolLike.nullish(),
  tokenInfo: tokenInfoSchema,
  riskTransaction: boolLike.nullish(),
});
export type RawTransfer = z.infer<typeof transferRecordSchema>;

export const trc20RecordSchema = z.object({
  transaction_id: str.regex(/^[0-9a-fA-F]{64}$/, "transaction_id must be 64 hex characters"),
  block: intLike.nullish(),
  block_ts: intLike,
  from_address: str,
  to_address: str,
  contract_address: str,
  quant: amountLike,
  event_type: optStr,
  confirmed: boolLike.nullish(),
  contractRet: optStr,
  finalResult: optStr,
  revert: boolLike.nullish(),
  tokenInfo: tokenInfoSchema,
  trigger_info: triggerInfoSchema,
  riskTransaction: boolLike.nullish(),
});
export type RawTrc20Transfer = z.infer<typeof trc20RecordSchema>;

/** One line per problem: "field: message". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`).join("; ");
}
