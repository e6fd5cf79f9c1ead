// How much the detectors say: findings per active wallet-day (a watched wallet's UTC day with any successful
// activity), by type and severity. What an analyst receives each morning, measured.
import { utcDaySql } from "../model/time.ts";
import { labelled, raw, sql } from "../warehouse/sql.ts";
import type { Warehouse } from "../warehouse/types.ts";

export type NoiseReport = {
  activeWalletDays: number;
  findings: number;
  perActiveWalletDay: number;
  /** The busiest wallet-day's findings. */
  maxPerWalletDay: number;
  byType: Record<string, Record<string, number>>;
  byWallet: { wallet: string; activeDays: number; findings: number; perDay: number }[];
};

export async function noiseReport(w: Warehouse): Promise<NoiseReport> {
  const day = (col: string) => raw(utcDaySql(col));
  const [active] = await w.query<{ n: string }>(
    labelled(
      "report.noise_active_days",
      sql`SELECT count(*) AS n FROM (SELECT DISTINCT wallet, ${day("timestamp_ms")} AS d FROM wallet_activity
        WHERE status = 'success') a`,
    ),
  );
  const cells = await w.query<{ wallet: string; d: string; anomaly_type: string; severity: string | null; n: string }>(
    labelled(
      "report.noise_findings",
      sql`SELECT wallet, ${day("COALESCE(occurred_at_ms, detected_at_ms)")} AS d, anomaly_type, severity, count(*) AS n
        FROM anomalies GROUP BY 1, 2, 3, 4`,
    ),
  );
  const perWallet = await w.query<{ wallet: string; days: string }>(
    labelled(
      "report.noise_wallet_days",
      sql`SELECT wallet, count(DISTINCT ${day("timestamp_ms")}) AS days FROM wallet_activity
      WHERE status = 'success' GROUP BY wallet ORDER BY wallet`,
    ),
  );
  const byType: Record<string, Record<string, number>> = {};
  const perWalletDay = new Map<string, number>();
  const perWalletTotal = new Map<string, number>();
  let findings = 0;
  for (const c of cells) {
    const n = Number(c.n);
    findings += n;
    const t = (byType[c.anomaly_type] ??= {});
    t[c.severity ?? "unset"] = (t[c.severity ?? "unset"] ?? 0) + n;
    const key = `${c.wallet}|${c.d}`;
    perWalletDay.set(key, (perWalletDay.get(key) ?? 0) + n);
    perWalletTotal.set(c.wallet, (perWalletTotal.get(c.wallet) ?? 0) + n);
  }
  const activeWalletDays = Number(active.n);
  return {
    activeWalletDays,
    findings,
    perActiveWalletDay: activeWalletDays ? Math.round((findings / activeWalletDays) * 10) / 10 : 0,
    maxPerWalletDay: Math.max(0, ...perWalletDay.values()),
    byType,
    byWallet: perWallet.map((p) => {
      const f = perWalletTotal.get(p.wallet) ?? 0;
      return {
        wallet: p.wallet,
        activeDays: Number(p.days),
        findings: f,
        perDay: Math.round((f / Number(p.days)) * 10) / 10,
      };
    }),
  };
}
