// Tether's USDT blacklist, read from a block's transaction infos: AddedBlackList, RemovedBlackList and
// DestroyedBlackFunds logs of the USDT contract, for every address (the follower reads these infos for every
// block with a contract call, whoever is watched). The address may be indexed (topics[1]) or in the data (the
// first word): copies of the ABI differ, so both are read. Pure; a log that cannot be read is skipped and counted.
import { addressFromHex, addressToHex } from "../model/address.ts";
import type { BlacklistEvent } from "../model/rows.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";

export const BLACKLIST_TOPICS = {
  added: "42e160154868087d6bfdc0ca23d96a1c1cfa32f1b72ba9ba27b69b98a0d819dc",
  removed: "d7e9ec6e6ecd65492dce6bf513cd6867560d49544421d0783ddf06e76c24470c",
  destroyed: "61e6e66b0d6339b2980aecc6ccc0039736791f0ccde9ed512e789a7fbdd698c6",
} as const;
const KIND_OF = new Map(Object.entries(BLACKLIST_TOPICS).map(([k, t]) => [t, k as BlacklistEvent["kind"]]));
const USDT_HEX = addressToHex(USDT_CONTRACT).slice(2).toLowerCase();

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
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
