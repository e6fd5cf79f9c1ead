// The monitor's own state, computed once for `tronmon status` and the dashboard's health page: per-wallet
// completeness and lag, the last runs with their counts, quarantine, notification delivery, health alerts and
// what verify found.
import { healthLimit } from "../model/health-rules.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { walletLags } from "../health/reads.ts";
import { deliverySummary } from "../warehouse/outbox.ts";
import { labelled, raw, sql } from "../warehouse/sql.ts";
import { jsonValue, NODE_SOURCE, TIP_SOURCE, type Warehouse } from "../warehouse/types.ts";

type Row = Record<string, string | number | boolean | null>;
const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** Per watched wallet: streams synced, backfills under way, what is stored and the newest activity. */
const WALLETS = labelled(
  "report.wallets",
  sql`SELECT w.address, w.label,
    (SELECT min(synced_to_ms) FROM sync_cursors c WHERE c.wallet = w.address) AS synced_to_ms,
    (SELECT count(*) FROM sync_cursors c WHERE c.wallet = w.address AND c.synced_to_ms IS NOT NULL) AS endpoints_synced,
    (SELECT count(*) FROM sync_cursors c WHERE c.wallet = w.address AND c.walk_top_ms IS NOT NULL) AS walks_open,
    (SELECT count(DISTINCT transaction_id) FROM wallet_activity a
      WHERE a.wallet = w.address AND a.status <> 'dropped') AS transactions,
    (SELECT count(*) FROM wallet_activity a
      WHERE a.wallet = w.address AND a.kind = 'transfer' AND a.status <> 'dropped') AS transfers,
    (SELECT count(*) FROM wallet_activity a
      WHERE a.wallet = w.address AND NOT a.confirmed AND a.status <> 'dropped') AS unconfirmed,
    (SELECT max(timestamp_ms) FROM wallet_activity a WHERE a.wallet = w.address) AS newest_ms
  FROM wallets w ORDER BY w.label, w.address`,
);

const VERIFY = labelled(
  "report.verify",
  sql`SELECT count(*) AS checks, count(CASE WHEN verdict IN ('missing', 'still missing') THEN 1 END) AS missing,
    count(CASE WHEN verdict = 'extra' THEN 1 END) AS extra, count(CASE WHEN verdict = 'unreliable' THEN 1 END) AS unreliable,
    count(CASE WHEN verdict IN ('ok', 'repaired') THEN 1 END) AS certified, min(CASE WHEN verdict IN ('ok', 'repaired')
    THEN day_ms END) AS certified_from, max(checked_ms) AS last_ms FROM verify_results`,
);

export type StatusReport = Awaited<ReturnType<typeof statusReport>>;

/** The last `n` runs, newest first, with their counts read out (the overview reads one, status ten, health 30). */
export async function lastRuns(w: Warehouse, n: number) {
  const d = w.dialect;
  const rows = await w.query<Row>(
    labelled(
      "report.runs",
      sql`SELECT run_id, command, status, error, counts, ${raw(d.timestampToMs("started_at"))} AS started_ms,
        ${raw(d.timestampToMs("ended_at"))} AS ended_ms
      FROM runs ORDER BY started_at DESC LIMIT ${n}`,
    ),
  );
  return rows.map((r) => {
    const c = jsonValue<Record<string, number>>(r.counts) ?? {};
    const started = r.started_ms === null ? null : Number(r.started_ms);
    const ended = r.ended_ms === null ? null : Number(r.ended_ms);
    return {
      run_id: r.run_id,
      command: r.command,
      status: r.status,
      // scrubbed again on the way out: a run recorded before errors were scrubbed on the way in shows no secret either
      error: typeof r.error === "string" ? scrubUrls(r.error) : r.error,
      started_at: iso(started),
      ended_at: iso(ended),
      duration_ms: started === null || ended === null ? null : ended - started,
      requests: c.requests ?? null,
      transfers_new: c.transfersNew ?? c.new_transfers ?? null,
      retries: c.retries ?? null,
      throttled: c.throttled ?? null,
      throttled_ms: c.throttledMs ?? null,
      quarantined: c.quarantined ?? null,
      counts: c,
    };
  });
}

/**
 * `runs`: how many of the last runs; `walletCounts`: also count each wallet's stored activity (a scan of
 * its rows: `status` shows it, the health page does not need it).
 */
export async function statusReport(w: Warehouse, nowMs: number, o: { runs: number; walletCounts: boolean }) {
  const runs = await lastRuns(w, o.runs);
  const lags = await walletLags(w, nowMs);
  const lagOf = new Map(lags.map((l) => [l.wallet, l]));
  const wallets = o.walletCounts ? await w.query<Row>(WALLETS) : [];
  const [q] = await w.query<{ n: string }>(labelled("report.quarantined", sql`SELECT count(*) AS n FROM quarantine`));
  const quarantine = await w.query<Row>(
    labelled("report.quarantine", sql`SELECT * FROM quarantine ORDER BY observed_at DESC LIMIT 20`),
  );
  const health = await w.query<Row>(
    labelled(
      "report.health_alerts",
      sql`SELECT alert_id, rule_name, wallet, value, threshold, status, first_seen_ms FROM alerts
      WHERE kind = 'health' ORDER BY CASE WHEN status = 'resolved' THEN 1 ELSE 0 END, first_seen_ms DESC LIMIT 100`,
    ),
  );
  const [v] = await w.query<Row>(VERIFY);
  // the block source: where its cursor stands, and its lag behind the solidified head at its last follow
  const cursor = await w.getBlockCursor(NODE_SOURCE);
  const tip = await w.getBlockCursor(TIP_SOURCE);
  const [coverage] = cursor
    ? await w.query<{ first: string | null }>(
        labelled("report.coverage_from", sql`SELECT min(from_block) AS first FROM node_coverage`),
      )
    : [{ first: null }];
  const [lastFollow] = await w.query<Row>(
    labelled(
      "report.last_follow",
      sql`SELECT counts FROM runs WHERE command = 'follow' AND status = 'success' ORDER BY started_at DESC LIMIT 1`,
    ),
  );
  const followed = lastFollow ? (jsonValue<Record<string, number>>(lastFollow.counts) ?? {}) : {};
  return {
    now: new Date(nowMs).toISOString(),
    // synced to: TronScan's cursors, or the block follower's for a wallet it covers (health/reads.ts walletLags)
    wallets: wallets.map((x): Row => {
      const l = lagOf.get(String(x.address));
      const synced = l?.syncedToMs ?? null;
      return {
        ...x,
        synced_to_ms: synced !== null && synced > Number(x.synced_to_ms ?? 0) ? synced : x.synced_to_ms,
        lag_minutes: l?.lagMinutes ?? null,
      };
    }),
    lags,
    runs,
    quarantined: Number(q.n),
    quarantine,
    sinks: await deliverySummary(w),
    health: health.map(
      (h): Row => ({
        ...h,
        first_seen: iso(h.first_seen_ms),
        ...healthLimit(String(h.rule_name)),
      }),
    ),
    verify: {
      checks: Number(v.checks),
      missing: Number(v.missing),
      extra: Number(v.extra),
      unreliable: Number(v.unreliable),
      certified: Number(v.certified),
      certified_from: v.certified_from === null ? null : Number(v.certified_from),
      last_ms: v.last_ms,
    },
    blocks: cursor
      ? {
          /** The first block followed for the wallets watched now (node_coverage), and the last. */
          from: coverage.first === null ? null : Number(coverage.first),
          cursor: cursor.number,
          cursor_time: iso(cursor.timestampMs),
          /** How old the newest followed solidified block is (solidification itself takes about a minute). */
          age_seconds: Math.max(0, Math.round((nowMs - cursor.timestampMs) / 1000)),
          tip: tip && tip.number > cursor.number ? tip.number : null,
          tip_time: tip && tip.number > cursor.number ? iso(tip.timestampMs) : null,
          head: followed.head ?? null,
          lag_blocks: followed.lag_blocks ?? null,
          lag_seconds: followed.lag_seconds ?? null,
        }
      : null,
  };
}
