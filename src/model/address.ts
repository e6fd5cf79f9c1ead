// TRON addresses: base58check of 0x41 ‖ 20 bytes. Case-sensitive: never lowercase them.
import { createHash } from "node:crypto";
import { createBase58check } from "@scure/base";

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(data).digest());
const base58check = createBase58check(sha256);

/** Why an address is invalid, or null when it is a valid mainnet base58check address. */
export function addressProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(value)) return "must be 34 base58 characters starting with T";
  let bytes: Uint8Array;
  try {
    bytes = base58check.decode(value);
  } catch {
    return "base58check checksum does not match";
  }
  if (bytes.length !== 21 || bytes[0] !== 0x41) return "does not encode a 21-byte 0x41 address";
  return null;
}

export const isAddress = (value: unknown): value is string => addressProblem(value) === null;

/** Encode the low 20 bytes of a 32-byte ABI word (hex, no 0x) as a base58check address. */
const fromWord = new Map<string, string>();
export function addressFromAbiWord(wordHex: string): string {
  const low20 = wordHex.slice(-40).toLowerCase();
  let a = fromWord.get(low20);
  if (a === undefined) {
    if (fromWord.size > 100_000) fromWord.clear();
    a = base58check.encode(Buffer.from("41" + low20, "hex"));
    fromWord.set(low20, a);
  }
  return a;
}

/** Hex form (41…) to base58check. */
export function addressFromHex(hex: string): string {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  const body = clean.length === 40 ? "41" + clean : clean;
  return base58check.encode(Buffer.from(body, "hex"));
}

export function addressToHex(address: string): string {
  return Buffer.from(base58check.decode(address)).toString("hex");
}
