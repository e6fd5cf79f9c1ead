// Exposure rules: per watched wallet, the inbound value of one token from listed addresses over the rule's window,
// as a share (percent, exact: listed × 100 against threshold × total in integers) or an amount (token units).
import { formatUnits, parseUnits } from "../model/amount.ts";
import type { Breach, ThresholdRule } from "../model/alerts.ts";
import { InputError } from "../internal/errors.ts";
import { exposureShare, exposureSql, type ExposureRow } from "../warehouse/activity/exposure.ts";
import type { Warehouse } from "../warehouse/types.ts";

export const isExposureRule = (r: { kind: string }) => r.kind === "exposure_share" || r.kind === "exposure_amount";

export async function exposureBreaches(
  w: Warehouse,
  rules: (ThresholdRule & { decimals: number })[],
  nowMs: number,
): Promise<Breach[]> {
  const breaches: Breach[] = [];
  const byDays = new Map<number, ExposureRow[]>();
  for (const r of rules) {
    let rows = byDays.get(r.periodDays);
    if (!rows) {
      rows = await w.query<ExposureRow>(exposureSql(nowMs, undefined, r.periodDays));
      byDays.set(r.periodDays, rows);
    }
    let limit: bigint;
    try {
      limit = parseUnits(r.threshold, r.kind === "exposure_share" ? 6 : r.decimals);
    } catch (e) {
      throw new InputError(`rule "${r.name}": threshold ${r.threshold}: ${(e as Error).message}`);
    }
    for (const row of rows) {
      if (row.token_id !== r.tokenId || (r.wallets && !r.wallets.includes(row.wallet))) continue;
      const listed = BigInt(row.listed_raw_recent ?? "0");
      const total = BigInt(row.in_raw_recent ?? "0");
      if (listed === 0n) continue;
      // share: listed / total × 100 > threshold  <=>  listed × 100 × 10^6 > threshold × 10^6 × total
      const above = r.kind === "exposure_share" ? listed * 100_000_000n > limit * total : listed > limit;
      if (above)
        breaches.push({
          ruleName: r.name,
          wallet: row.wallet,
          value:
            r.kind === "exposure_share"
              ? (exposureShare(row.listed_raw_recent, row.in_raw_recent, 4) ?? "0")
              : formatUnits(listed, r.decimals),
        });
    }
  }
  return breaches;
}
