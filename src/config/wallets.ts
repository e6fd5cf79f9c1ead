// The watched wallets of a config: found by address or label (what people type), and edited in the config file
// with its comments kept, validated before anything is written (like `rules set`).
import { readFileSync, writeFileSync } from "node:fs";
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { UsageError } from "../internal/errors.ts";
import { isAddress } from "../model/address.ts";
import { parseConfig } from "./load.ts";
import type { Config } from "./schema.ts";

/** The watched wallet `value` names: its address, or its label (case and spaces aside); a UsageError otherwise. */
export function findWallet(wallets: Config["wallets"], value: string, what: string): Config["wallets"][number] {
  const v = value.trim();
  const byAddress = wallets.find((w) => w.address === v);
  if (byAddress) return byAddress;
  const fold = (s: string) => s.trim().toLowerCase();
  const byLabel = wallets.filter((w) => w.label !== null && fold(w.label) === fold(v));
  if (byLabel.length === 1) return byLabel[0];
  if (byLabel.length > 1)
    throw new UsageError(`${what}: ${byLabel.length} wallets are labelled ${JSON.stringify(v)}; give the address`);
  throw new UsageError(
    `${what}: ${JSON.stringify(v)} is ${isAddress(v) ? "not a watched wallet" : "neither a TRON address nor a watched wallet's label"}`,
  );
}

export type WalletEdit =
  | { add: { address: string; label: string | null; profile: string | null } }
  | { remove: string };

/** Adds or removes a wallet in the config file at `path`, keeping its comments; returns the config as now written. */
export function editWallets(path: string, edit: WalletEdit): Config {
  const doc = parseDocument(readFileSync(path, "utf8"));
  const seq = doc.get("wallets");
  if (!isSeq(seq)) throw new UsageError(`${path}: wallets must be a list`);
  const items = seq.items as YAMLMap[];
  const current = parseConfig(doc.toJS(), path);
  if ("add" in edit) {
    const { address, label, profile } = edit.add;
    if (!isAddress(address))
      throw new UsageError(`wallets add: ${JSON.stringify(address)} is not a valid TRON address`);
    if (current.wallets.some((w) => w.address === address))
      throw new UsageError(`wallets add: ${address} is already watched (${path})`);
    const entry: Record<string, string> = { address };
    if (label) entry.label = label;
    if (profile) entry.profile = profile;
    seq.items.push(doc.createNode(entry));
  } else {
    const w = findWallet(current.wallets, edit.remove, "wallets remove");
    if (current.wallets.length === 1)
      throw new UsageError(`wallets remove: ${w.address} is the only wallet; a config needs one`);
    const i = items.findIndex((it) => isMap(it) && it.get("address") === w.address);
    seq.items.splice(i, 1);
  }
  const text = doc.toString();
  const config = parseConfig(parseDocument(text).toJS(), path); // invalid (an unknown profile, say): exit 2, nothing written
  writeFileSync(path, text);
  return config;
}
