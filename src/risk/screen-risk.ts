// The risk screening after a load: movements against the lists (screen.ts), then the watched wallets' own
// changes of control (account-screen.ts). Found counts per type, merged.
import type { Config } from "../config/schema.ts";
import type { Warehouse } from "../warehouse/types.ts";
import { screenAccountChanges } from "./account-screen.ts";
import { screenMovements } from "./screen.ts";

export async function screenRisk(w: Warehouse, config: Config, nowMs: number) {
  const lists = await screenMovements(w, nowMs);
  const accounts = await screenAccountChanges(w, config.risk, nowMs);
  const found: Record<string, number> = { ...lists.found };
  for (const [k, v] of Object.entries(accounts)) found[k] = (found[k] ?? 0) + v;
  return { found, resolved: lists.resolved, versionsScreened: lists.versionsScreened };
}
