// The warehouse's own upkeep, outside any load: migrations applied once each, transfers rescaled once their
// token's decimals are known, the watched-wallet list replaced, the run log written.
import { formatUnits } from "../model/amount.ts";
import { scrubUrls } from "../internal/scrub.ts";
import { MIGRATIONS } from "./migrations.ts";
import { RESCALE_STAGE } from "./stage.ts";
import { chunks, lastByKey } from "./batching.ts";
import type { Driver, Tx } from "./driver.ts";
import type { RunRecord } from "./types.ts";
import { allActivityDaysSql, STAGE_RESCALE } from "./upsert.ts";

const RUN_COLUMNS = ["run_id", "command", "started_at", "ended_at", "status", "error", "counts"];

export async function migrate(driver: Driver): Promise<void> {
  const d = driver.dialect;
  const t = d.columnType;
  await driver.run(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version ${t("int")} PRIMARY KEY, name ${t("text")}, applied_at
      ${t("timestamp")})`,
  );
  const done = new Set((await driver.run("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
  const record = `INSERT INTO schema_migrations (version, name, applied_at) SELECT ?, ?, ${d.now()}`;
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    if (d.transactionalDdl) {
      await driver.transaction(async (tx) => {
        for (const s of m.statements(d)) await tx.run(s);
        await tx.run(record, [m.version, m.name]);
      });
    } else {
      // DDL commits implicitly: each statement is idempotent (IF NOT EXISTS / OR REPLACE) instead
      for (const s of m.statements(d)) await driver.run(s);
      await driver.run(record, [m.version, m.name]);
    }
  }
}

/** Transfers stored before their token's decimals were known get their amount now; returns how many. */
export async function rescaleTransfers(driver: Driver, ensureStage: () => Promise<void>): Promise<number> {
  const rows = await driver.run(
    `SELECT t.transfer_id, t.amount_raw, k.decimals, k.symbol, k.name FROM transfers t
      JOIN tokens k ON k.token_id = t.token_id
     WHERE t.token_decimals IS NULL AND k.decimals IS NOT NULL`,
  );
  if (!rows.length) return 0;
  await ensureStage();
  const staged = rows.map((r) => ({
    transferId: String(r.transfer_id),
    decimals: Number(r.decimals),
    amount: formatUnits(BigInt(String(r.amount_raw)), Number(r.decimals)),
    symbol: (r.symbol ?? null) as string | null,
    name: (r.name ?? null) as string | null,
  }));
  await driver.transaction(async (tx) => {
    await tx.run(`DELETE FROM ${STAGE_RESCALE}`);
    await tx.stage(STAGE_RESCALE, RESCALE_STAGE, staged);
    await tx.run(`UPDATE transfers SET token_decimals = s.decimals, amount = s.amount,
        token_symbol = COALESCE(transfers.token_symbol, s.symbol), token_name = COALESCE(transfers.token_name, s.name)
      FROM ${STAGE_RESCALE} s WHERE transfers.transfer_id = s.transfer_id`);
  });
  return rows.length;
}

/** The watched wallets become exactly `wallets`; another set marks every active day for the rollups. */
export async function setWallets(driver: Driver, tx: Tx, wallets: { address: string; label?: string | null }[]) {
  const d = driver.dialect;
  const list = async () =>
    (await tx.run("SELECT address FROM wallets ORDER BY address")).map((r) => String(r.address)).join(",");
  const before = await list();
  const unique = lastByKey(wallets, (w) => w.address);
  const opts = { update: ["label"], convert: { added_at: d.msToTimestamp } };
  const now = Date.now();
  for (const c of chunks(unique)) {
    const params = c.flatMap((w) => [w.address, w.label ?? null, now]);
    await tx.run(d.upsertSql("wallets", ["address", "label", "added_at"], ["address"], c.length, opts), params);
  }
  if (unique.length) {
    const marks = unique.map(() => "?").join(", ");
    await tx.run(
      `DELETE FROM wallets WHERE address NOT IN (${marks})`,
      unique.map((w) => w.address),
    );
  } else await tx.run("DELETE FROM wallets");
  // another set of wallets: the rollup is rebuilt for every day holding activity
  if (before !== (await list()))
    await tx.run(d.insertSelectMissingSql("activity_days", ["day_ms"], allActivityDaysSql()));
}

export async function recordRun(driver: Driver, run: RunRecord): Promise<void> {
  const d = driver.dialect;
  const opts = { convert: { started_at: d.msToTimestamp, ended_at: d.msToTimestamp, counts: d.toJson } };
  await driver.run(d.upsertSql("runs", RUN_COLUMNS, ["run_id"], 1, opts), [
    run.runId,
    run.command,
    run.startedAtMs,
    run.endedAtMs ?? null,
    run.status,
    run.error == null ? null : scrubUrls(run.error), // a base URL's credentials or key never stored
    JSON.stringify(run.counts ?? {}),
  ]);
}
