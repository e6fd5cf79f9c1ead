// TronGrid's contract events API over the emulator's history (`GET /v1/contracts/{contract}/events`): Tether's
// blacklist events of the USDT contract, oldest first, `limit` at most 200, an opaque `fingerprint` for the next
// page in `meta` — and, with the `holes` quirk, a chain of pages that stops early (no fingerprint before the end),
// as TronGrid's is reported to.
import { addressToHex } from "../model/address.ts";
import { USDT_CONTRACT } from "../model/tokens.ts";
import { blockOf } from "./chain.ts";
import type { Freeze } from "./history.ts";

const NAMES = { added: "AddedBlackList", removed: "RemovedBlackList", destroyed: "DestroyedBlackFunds" } as const;
const SIGNATURES = {
  added: "AddedBlackList(address _user)",
  removed: "RemovedBlackList(address _user)",
  destroyed: "DestroyedBlackFunds(address _blackListedUser, uint256 _balance)",
} as const;
const hex20 = (a: string) => `0x${addressToHex(a).slice(2)}`;

function render(f: Freeze, eventIndex: number) {
  const user = hex20(f.address);
  const result: Record<string, string> =
    f.kind === "destroyed"
      ? { "0": user, "1": String(f.raw ?? 0n), _blackListedUser: user, _balance: String(f.raw ?? 0n) }
      : { "0": user, _user: user };
  return {
    block_number: blockOf(f.ts),
    block_timestamp: f.ts,
    caller_contract_address: USDT_CONTRACT,
    contract_address: USDT_CONTRACT,
    event_index: eventIndex,
    event_name: NAMES[f.kind],
    result,
    result_type: f.kind === "destroyed" ? { _blackListedUser: "address", _balance: "uint256" } : { _user: "address" },
    event: SIGNATURES[f.kind],
    transaction_id: f.transactionId,
  };
}

/** One page of the answer; `stopEarly`: this page ends the chain though more remain. */
export function contractEventsAnswer(
  freezes: readonly Freeze[],
  contract: string,
  q: URLSearchParams,
  confirmedMs: number,
  nowMs: number,
  stopEarly: boolean,
): { status: number; body: unknown } {
  if (contract !== USDT_CONTRACT && contract !== addressToHex(USDT_CONTRACT))
    return { status: 200, body: { data: [], success: true, meta: { at: nowMs, page_size: 0 } } };
  const name = q.get("event_name");
  const min = Number(q.get("min_block_timestamp") ?? 0);
  const max = Number(q.get("max_block_timestamp") ?? Number.MAX_SAFE_INTEGER);
  const limit = Math.min(Number(q.get("limit") ?? 20) || 20, 200);
  const top = q.get("only_confirmed") === "true" ? confirmedMs : nowMs;
  const all = freezes
    .filter((f) => (!name || NAMES[f.kind] === name) && f.ts >= min && f.ts <= max && f.ts <= top)
    .sort((a, b) => a.ts - b.ts);
  const fp = q.get("fingerprint");
  const offset = fp ? Number(Buffer.from(fp, "base64url").toString()) : 0;
  if (!Number.isSafeInteger(offset) || offset < 0)
    return { status: 400, body: { success: false, error: "invalid fingerprint", statusCode: 400 } };
  // a transaction's events are numbered in order (two freezes in one call are events 0 and 1)
  const indexOf = (f: Freeze) => freezes.filter((g) => g.transactionId === f.transactionId).indexOf(f);
  const data = all.slice(offset, offset + limit).map((f) => render(f, indexOf(f)));
  const next =
    offset + limit < all.length && !stopEarly ? Buffer.from(String(offset + limit)).toString("base64url") : null;
  const meta: Record<string, unknown> = { at: nowMs, page_size: data.length };
  if (next) meta.fingerprint = next;
  return { status: 200, body: { data, success: true, meta } };
}
