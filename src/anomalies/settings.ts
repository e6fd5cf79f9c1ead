// The detector settings in force for each wallet: its own overrides beat its profile, the profile beats the
// global settings. Lists replace lists; min_amount maps are merged token by token. Wallets with equal settings
// are scored together (one query per group).
import { type AnomalyOverrides, type AnomalySettings, type Config, DEFAULT_PROFILES } from "../config/schema.ts";
import { ANOMALY_TYPES } from "../model/anomaly-types.ts";
import { wellKnownToken } from "../model/tokens.ts";

export const profilesOf = (config: Config): Record<string, AnomalyOverrides> => ({
  ...DEFAULT_PROFILES,
  ...config.anomalies.profiles,
});

function apply(base: AnomalySettings, o: AnomalyOverrides | null | undefined): AnomalySettings {
  if (!o) return base;
  const merged = structuredClone(base);
  if (o.enabled) merged.enabled = [...o.enabled];
  const parts = ["large_transaction", "new_counterparty", "burst_activity", "address_poisoning", "fake_token"] as const;
  for (const key of parts) {
    const part = o[key] as Record<string, unknown> | undefined;
    if (!part) continue;
    const target = merged[key] as Record<string, unknown>;
    for (const [k, v] of Object.entries(part)) {
      if (v === undefined) continue;
      target[k] = k === "min_amount" ? { ...(target[k] as object), ...(v as object) } : structuredClone(v);
    }
  }
  return merged;
}

/** The global detector settings (a config's anomalies section without its profiles). */
export function globalSettings(config: Config): AnomalySettings {
  const { profiles: _, ...global } = config.anomalies;
  return global;
}

/** The settings in force for one watched wallet. */
export function walletSettings(config: Config, address: string): AnomalySettings {
  const wallet = config.wallets.find((w) => w.address === address);
  const profile = wallet?.profile ? profilesOf(config)[wallet.profile] : null;
  return apply(apply(globalSettings(config), profile), wallet?.anomalies);
}

/** Wallets grouped by the settings in force for them (`stored` wallets missing from the config: the global ones). */
export function settingsGroups(
  config: Config,
  stored: readonly string[] = [],
): { settings: AnomalySettings; wallets: string[] }[] {
  const groups = new Map<string, { settings: AnomalySettings; wallets: string[] }>();
  const all = [...new Set([...config.wallets.map((w) => w.address), ...stored])];
  for (const address of all) {
    const settings = walletSettings(config, address);
    const key = JSON.stringify(settings);
    const g = groups.get(key);
    if (g) g.wallets.push(address);
    else groups.set(key, { settings, wallets: [address] });
  }
  return [...groups.values()];
}

const tokenName = (id: string) => (id === "_" ? "TRX" : (wellKnownToken(id)?.symbol ?? id));
const minimums = (m: Record<string, string>) =>
  Object.keys(m).length
    ? ` above ${Object.entries(m)
        .map(([t, v]) => `${v} ${tokenName(t)}`)
        .join(", ")}`
    : "";

/** One line: the detector settings in force (what `tronmon check` prints per wallet). */
export function describeSettings(s: AnomalySettings): string {
  const on = new Set(s.enabled);
  const parts: string[] = [];
  if (on.has("large_transaction"))
    parts.push(`large_transaction ${s.large_transaction.sigmas} sd${minimums(s.large_transaction.min_amount)}`);
  if (on.has("new_counterparty"))
    parts.push(`new_counterparty ${s.new_counterparty.direction}${minimums(s.new_counterparty.min_amount)}`);
  if (on.has("burst_activity"))
    parts.push(`burst ${s.burst_activity.factor}x (at least ${s.burst_activity.min_count})`);
  if (on.has("address_poisoning"))
    parts.push(`address_poisoning ${s.address_poisoning.prefix}+${s.address_poisoning.suffix}`);
  if (on.has("fake_token")) parts.push(`fake_token ${s.fake_token.direction}`);
  if (on.has("spam_token")) parts.push("spam_token");
  const off = ANOMALY_TYPES.filter((t) => !on.has(t));
  return parts.join("; ") + (off.length ? `; off: ${off.join(", ")}` : "");
}
