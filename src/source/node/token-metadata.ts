// A TRC20 token's name, symbol and decimals from the node: constant calls of name(), symbol() and decimals() through
// /wallet/triggerconstantcontract (no transaction, no fee). Strings come ABI-encoded (offset, length, bytes) or, for
// some old tokens, as one bytes32; anything that does not decode is null, never an error.
import type { TokenRow } from "../../model/rows.ts";
import type { NodeClient } from "./client.ts";

type Obj = Record<string, unknown>;

/** The first word of a constant call's result (hex), or null when the call reverted or answered nothing. */
async function call(client: NodeClient, contract: string, selector: string, signal?: AbortSignal) {
  const body = (await client.post(
    "/wallet/triggerconstantcontract",
    { owner_address: contract, contract_address: contract, function_selector: selector, parameter: "", visible: true },
    signal,
  )) as Obj;
  const ok = (body?.result as Obj | undefined)?.result === true;
  const out = Array.isArray(body?.constant_result) ? body.constant_result[0] : null;
  return ok && typeof out === "string" && /^([0-9a-f]{2})*$/i.test(out) && out.length >= 64 ? out.toLowerCase() : null;
}

/** An ABI string (or a bytes32 one), printable, at most 64 characters. */
export function abiString(hex: string | null): string | null {
  if (!hex) return null;
  let bytes: Buffer | null = null;
  const offset = Number.parseInt(hex.slice(0, 64), 16);
  if (hex.length >= 128 && offset === 32) {
    const length = Number.parseInt(hex.slice(64, 128), 16);
    if (Number.isSafeInteger(length) && length <= 1024 && hex.length >= 128 + length * 2)
      bytes = Buffer.from(hex.slice(128, 128 + length * 2), "hex");
  }
  if (!bytes) {
    const word = Buffer.from(hex.slice(0, 64), "hex"); // bytes32: the text up to the first zero byte
    const end = word.indexOf(0);
    bytes = end === -1 ? word : word.subarray(0, end);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const text = bytes
    .toString("utf8")
    .replace(/[\u0000-\u001f\u007f\ufffd]/g, "")
    .trim()
    .slice(0, 64);
  return text || null;
}

/** decimals() as a number 0..77 (what a uint256 amount can hold), else null. */
export function abiDecimals(hex: string | null): number | null {
  if (!hex) return null;
  const v = BigInt(`0x${hex.slice(0, 64)}`);
  return v <= 77n ? Number(v) : null;
}

/** The token row the node's constant calls give, or null when it answers as no TRC20 token does. */
export async function nodeTokenMetadata(client: NodeClient, contract: string, signal?: AbortSignal): Promise<TokenRow> {
  const decimals = abiDecimals(await call(client, contract, "decimals()", signal));
  const symbol = abiString(await call(client, contract, "symbol()", signal));
  const name = abiString(await call(client, contract, "name()", signal));
  return { tokenId: contract, assetType: "trc20", symbol, name, decimals, level: null };
}

/** A TRC10 token's row from /wallet/getassetissuebyid (name and abbr hex-encoded), or decimals null when unknown. */
export async function nodeAssetMetadata(client: NodeClient, id: string, signal?: AbortSignal): Promise<TokenRow> {
  const body = (await client.post("/wallet/getassetissuebyid", { value: id }, signal)) as Obj;
  const text = (v: unknown) => {
    if (typeof v !== "string" || !v) return null;
    const plain = /^([0-9a-f]{2})+$/i.test(v) ? Buffer.from(v, "hex").toString("utf8") : v;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    return (
      plain
        .replace(/[\u0000-\u001f\u007f\ufffd]/g, "")
        .trim()
        .slice(0, 64) || null
    );
  };
  const precision = body?.precision === undefined && body?.id !== undefined ? 0 : Number(body?.precision);
  const decimals = Number.isInteger(precision) && precision >= 0 && precision <= 77 ? precision : null;
  return { tokenId: id, assetType: "trc10", symbol: text(body?.abbr), name: text(body?.name), decimals, level: null };
}
