// Decoding of TRC20 transfer calls from ABI call data (method id + 32-byte words).
import { addressFromAbiWord } from "../model/address.ts";

export const SELECTOR_TRANSFER = "a9059cbb"; // transfer(address,uint256)
export const SELECTOR_TRANSFER_FROM = "23b872dd"; // transferFrom(address,address,uint256)

export type DecodedTransfer = { from?: string; to: string; value: bigint };

function words(hex: string, count: number): string[] | null {
  const body = hex.slice(8);
  if (body.length < count * 64 || !/^[0-9a-fA-F]*$/.test(body)) return null;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(body.slice(i * 64, (i + 1) * 64));
  return out;
}

/** Decode `transfer` / `transferFrom` call data; null when the data is another method or malformed. */
export function decodeTransferCall(data: unknown): DecodedTransfer | null {
  if (typeof data !== "string") return null;
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  const selector = hex.slice(0, 8).toLowerCase();
  if (selector === SELECTOR_TRANSFER) {
    const w = words(hex, 2);
    if (!w) return null;
    return { to: addressFromAbiWord(w[0]), value: BigInt("0x" + w[1]) };
  }
  if (selector === SELECTOR_TRANSFER_FROM) {
    const w = words(hex, 3);
    if (!w) return null;
    return { from: addressFromAbiWord(w[0]), to: addressFromAbiWord(w[1]), value: BigInt("0x" + w[2]) };
  }
  return null;
}
