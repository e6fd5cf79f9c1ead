// Tether's USDT blacklist, read from a block's transaction infos: AddedBlackList, RemovedBlackList and
// DestroyedBlackFunds logs of the USDT contract, for every address (the follower reads these infos for every
// block with a contract call, whoever is watched). The address may be indexed (topics[1]) or in the data (the
// first word): copies of the ABI differ, so both are read. Pure; a log that cannot be read is skipped and counted.
import { isObj } from "../internal/json.ts";
import { addressFromHex, addressToHex, isAddress } from "../model/address.ts";
import type { BlacklistEvent } from "../model/rows.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";

export const BLACKLIST_TOPICS = {
  added: "42e160154868087d6bfdc0ca23d96a1c1cfa32f1b72ba9ba27b69b98a0d819dc",
  removed: "d7e9ec6e6ecd65492dce6bf513cd6867560d49544421d0783ddf06e76c24470c",
  destroyed: "61e6e66b0d6339b2980aecc6ccc0039736791f0ccde9ed512e789a7fbdd698c6",
} as const;
const KIND_OF = new Map(Object.entries(BLACKLIST_TOPICS).map(([k, t]) => [t, k as BlacklistEvent["kind"]]));
const USDT_HEX = addressToHex(USDT_CONTRACT).slice(2).toLowerCase();

const hex = (v: unknown) => (typeof v === "string" ? v.replace(/^0x/i, "").toLowerCase() : "");

/** Whether a log's address is the USDT contract (hex with or without 41, or base58). */
function isUsdt(address: unknown): boolean {
  if (address === USDT_CONTRACT) return true;
  const h = hex(address);
  return h === USDT_HEX || h === `41${USDT_HEX}`;
}

/** The address in a 32-byte word: 12 zero bytes, then 20 (anything else is not an address word). */
function wordAddress(word: string): string | null {
  if (!/^0{24}[0-9a-f]{40}$/.test(word)) return null;
  return addressFromHex(word.slice(24));
}

function decode(kind: BlacklistEvent["kind"], topics: string[], data: string) {
  const words = data.match(/.{64}/g) ?? [];
  const indexed = topics.length >= 2;
  const address = wordAddress(indexed ? topics[1] : (words[0] ?? ""));
  if (!address) return null;
  if (kind !== "destroyed") return { address, amountRaw: null };
  const amount = indexed ? words[0] : words[1];
  if (amount === undefined || !/^[0-9a-f]{64}$/.test(amount)) return null;
  return { address, amountRaw: BigInt(`0x${amount}`).toString() };
}

/** The blacklist changes in one block's infos, in transaction and log order; `unread`: logs that could not be. */
export function blacklistEvents(
  infos: unknown[],
  block: { number: number; timestampMs: number },
): { events: BlacklistEvent[]; unread: number } {
  const events: BlacklistEvent[] = [];
  let unread = 0;
  for (const info of infos) {
    if (!isObj(info) || !Array.isArray(info.log)) continue;
    if (isObj(info.receipt) && info.receipt.result && info.receipt.result !== "SUCCESS") continue;
    for (const log of info.log) {
      if (!isObj(log) || !isUsdt(log.address) || !Array.isArray(log.topics)) continue;
      const topics = log.topics.map(hex);
      const kind = KIND_OF.get(topics[0] as (typeof BLACKLIST_TOPICS)[keyof typeof BLACKLIST_TOPICS]);
      if (!kind) continue;
      const got = decode(kind, topics, hex(log.data));
      if (!got) {
        unread++;
        continue;
      }
      events.push({
        kind,
        ...got,
        transactionId: hex(info.id),
        block: block.number,
        timestampMs: block.timestampMs,
      });
    }
  }
  return { events, unread };
}

/** TronGrid's event names for each change (`/v1/contracts/{USDT}/events?event_name=`). */
export const BLACKLIST_EVENT_NAMES = {
  added: "AddedBlackList",
  removed: "RemovedBlackList",
  destroyed: "DestroyedBlackFunds",
} as const;

/** An address as TronGrid's decoded results give it: base58, 41… or 0x… hex (20 bytes), or a 32-byte word. */
function resultAddress(v: unknown): string | null {
  if (typeof v !== "string") return null;
  if (isAddress(v)) return v;
  const h = hex(v);
  if (/^41[0-9a-f]{40}$/.test(h)) return addressFromHex(h);
  if (/^[0-9a-f]{40}$/.test(h)) return addressFromHex(h);
  return wordAddress(h);
}

/** A decimal or hex uint as TronGrid gives `_balance`, as a decimal string; null when it is not one. */
function resultUint(v: unknown): string | null {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v !== "string") return null;
  if (/^\d{1,78}$/.test(v)) return BigInt(v).toString();
  if (/^0x[0-9a-f]{1,64}$/i.test(v)) return BigInt(v).toString();
  return null;
}

/**
 * One TronGrid contract event (`data[]` of /v1/contracts/{USDT}/events) as a blacklist change, or null when it is not
 * one that can be read (counted by the caller). Parsed defensively: the result names differ between ABI copies
 * (`_user`, `_blackListedUser`, or positional "0", "1").
 */
export function blacklistFromEvent(kind: BlacklistEvent["kind"], e: unknown): BlacklistEvent | null {
  if (!isObj(e) || !isObj(e.result)) return null;
  if (e.event_name !== undefined && e.event_name !== BLACKLIST_EVENT_NAMES[kind]) return null;
  if (e.contract_address !== undefined && !isUsdt(e.contract_address)) return null;
  const r = e.result;
  const address = resultAddress(r._user ?? r._blackListedUser ?? r["0"]);
  const transactionId = hex(e.transaction_id);
  const block = Number(e.block_number);
  const timestampMs = Number(e.block_timestamp);
  if (!address || !/^[0-9a-f]{64}$/.test(transactionId)) return null;
  if (!Number.isSafeInteger(block) || block <= 0 || !Number.isSafeInteger(timestampMs) || timestampMs <= 0) return null;
  if (kind !== "destroyed") return { kind, address, amountRaw: null, transactionId, block, timestampMs };
  const amountRaw = resultUint(r._balance ?? r["1"]);
  return amountRaw === null ? null : { kind, address, amountRaw, transactionId, block, timestampMs };
}
