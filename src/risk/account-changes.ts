// What a watched wallet's own transactions say about its control: an AccountPermissionUpdateContract (type 46:
// owner or active keys, weights or thresholds replaced) and approve / increaseApproval calls (a spender allowed to
// take tokens later). Read from the stored transaction as either source gave it: TronScan's record (contractData)
// or the node's transaction (raw_data.contract[0].parameter.value, hex addresses). Pure.
import { isObj } from "../internal/json.ts";
import { addressFromHex, addressProblem } from "../model/address.ts";

export type Key = { address: string; weight: number };
export type Permission = { name: string; threshold: number; keys: Key[] };
export type PermissionSet = { owner: Permission | null; actives: Permission[] };
export type ApprovalCall = { method: "approve" | "increaseApproval"; token: string; spender: string; valueRaw: string };

type Obj = Record<string, unknown>;

function address(v: unknown): string | null {
  if (typeof v !== "string") return null;
  if (addressProblem(v) === null) return v;
  const h = v.replace(/^0x/i, "");
  if (/^(41)?[0-9a-fA-F]{40}$/.test(h)) return addressFromHex(h);
  return null;
}

/** The contract's value, from a TronScan record or a node transaction. */
function contractValue(raw: unknown): Obj | null {
  if (!isObj(raw)) return null;
  if (isObj(raw.contractData)) return raw.contractData;
  const c = (raw.raw_data as Obj | undefined)?.contract;
  const value = Array.isArray(c) && isObj(c[0]) ? ((c[0].parameter as Obj | undefined)?.value as unknown) : null;
  return isObj(value) ? value : null;
}

function permission(v: unknown, fallback: string): Permission | null {
  if (!isObj(v)) return null;
  const keys = (Array.isArray(v.keys) ? v.keys : [])
    .filter(isObj)
    .map((k) => ({ address: address(k.address) ?? String(k.address), weight: Number(k.weight ?? 1) }))
    .sort((a, b) => a.address.localeCompare(b.address));
  const name = typeof v.permission_name === "string" ? v.permission_name : fallback;
  return { name, threshold: Number(v.threshold ?? 1), keys };
}

/** The new permissions an AccountPermissionUpdateContract sets; null when the record holds none. */
export function permissionUpdate(raw: unknown): PermissionSet | null {
  const v = contractValue(raw);
  if (!v) return null;
  const owner = permission(v.owner, "owner");
  const actives = (Array.isArray(v.actives) ? v.actives : []).map((a, i) => permission(a, `active ${i + 1}`));
  if (!owner && !actives.length) return null;
  return { owner, actives: actives.filter((a): a is Permission => a !== null) };
}

/** A permission set as people read it: "owner 2/3 [TA…(1), TB…(1), TC…(1)]; active 1/1 [TA…(1)]". */
export function describePermissions(p: PermissionSet): string {
  const one = (x: Permission) =>
    `${x.name} ${x.threshold}/${x.keys.reduce((n, k) => n + k.weight, 0)} [${x.keys.map((k) => `${k.address}(${k.weight})`).join(", ")}]`;
  return [...(p.owner ? [one(p.owner)] : []), ...p.actives.map(one)].join("; ");
}

const SELECTORS: Record<string, ApprovalCall["method"]> = { "095ea7b3": "approve", d73dd623: "increaseApproval" };

/** An approve / increaseApproval call in a TriggerSmartContract: token (the contract), spender, value. */
export function approvalCall(raw: unknown): ApprovalCall | null {
  const v = contractValue(raw);
  if (!v || typeof v.data !== "string") return null;
  const data = v.data.replace(/^0x/i, "").toLowerCase();
  const method = SELECTORS[data.slice(0, 8)];
  if (!method || data.length < 8 + 128) return null;
  const spenderWord = data.slice(8, 72);
  const valueWord = data.slice(72, 136);
  const token = address(v.contract_address);
  if (!token || !/^[0-9a-f]{64}$/.test(valueWord)) return null;
  return {
    method,
    token,
    spender: addressFromHex(spenderWord.slice(24)),
    valueRaw: BigInt(`0x${valueWord}`).toString(),
  };
}
