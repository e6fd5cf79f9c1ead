// The engine-neutral warehouse: load orchestration, migrations, cursors, tokens, wallets, quarantine and the
// run log, written once over a small Driver per engine (run a statement, stage rows, run a MERGE, a
// transaction). Every SQL difference comes from the driver's Dialect; every DuckDB test runs this code too.
// This file wires the session (one queue, the staging tables, query listeners); the work is in load.ts
// (one load's transaction), upkeep.ts (migrations, rescaling, wallets, runs) and state-reads.ts.
import type { Driver, Exec, Row } from "./driver.ts";
import type { Labelled } from "./sql.ts";
import type { Warehouse } from "./types.ts";
import { loadBatch, type LoadSession } from "./load.ts";
import { migrate, recordRun, rescaleTransfers, setWallets } from "./upkeep.ts";
import { getBlockCursor, getCursor, oldestPendingMs, storedTokens } from "./state-reads.ts";
import { STAGE_OBSERVATIONS, STAGE_RESCALE, STAGE_TRANSACTIONS, STAGE_TRANSFERS, stageTablesSql } from "./upsert.ts";

/** Rows staged before the staging tables are made anew (see ensureStage). */
const RESTAGE_ROWS = 50_000;
const STAGE_TABLES = [STAGE_TRANSACTIONS, STAGE_TRANSFERS, STAGE_OBSERVATIONS, STAGE_RESCALE];

export type QueryListener = (label: string, ms: number, ok: boolean) => void;

/** Runs a labelled query: timed for the listeners, and its errors say which query it was. */
async function statement(run: Exec, q: Labelled, listeners: QueryListener[]): Promise<Row[]> {
  const t0 = performance.now();
  const done = (ok: boolean) => {
    for (const l of listeners) l(q.label, performance.now() - t0, ok);
  };
  try {
    const rows = await run(q.text, [...q.params]);
    done(true);
    return rows;
  } catch (e) {
    done(false);
    if (e instanceof Error) e.message = `${q.label}: ${e.message}`;
    throw e;
  }
}

export function createWarehouse(driver: Driver): Warehouse {
  let queue: Promise<unknown> = Promise.resolve();
  /** All work on the one session runs in order (transactions must not interleave). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
  let staged = false;
  let stagedRows = 0;
  /**
   * The staging tables, created once per session and made anew after RESTAGE_ROWS staged rows: emptying a temporary
   * table with DELETE leaves old row versions in memory (60,000 staged transactions of ~1 KB: DuckDB's in-memory
   * tables held 153 MB, 92 MB when made anew).
   */
  const ensureStage = async () => {
    if (staged && stagedRows < RESTAGE_ROWS) return;
    if (staged) for (const t of STAGE_TABLES) await driver.run(`DROP TABLE IF EXISTS ${t}`);
    for (const s of stageTablesSql()) await driver.run(s);
    staged = true;
    stagedRows = 0;
  };
  const session: LoadSession = {
    d: driver.dialect,
    storedTokens: new Map(),
    staged: (rows) => void (stagedRows += rows),
  };
  const listeners: QueryListener[] = [];
  const run = driver.run;

  return {
    dialect: driver.dialect,
    description: driver.description,
    migrate: () => serial(() => migrate(driver)),
    load: ({ cursors = [], ...input }) =>
      serial(async () => {
        await ensureStage();
        try {
          return await driver.transaction((tx) => loadBatch(session, tx, { cursors, ...input }));
        } catch (e) {
          session.storedTokens.clear(); // a rolled-back load may have held the only write of a token
          throw e;
        }
      }),
    getCursor: (wallet, endpoint) => serial(() => getCursor(run, wallet, endpoint)),
    getBlockCursor: (source) => serial(() => getBlockCursor(run, source)),
    oldestPendingMs: (wallet, sinceMs) => serial(() => oldestPendingMs(run, wallet, sinceMs)),
    tokens: () => serial(() => storedTokens(run)),
    rescaleTransfers: () => serial(() => rescaleTransfers(driver, ensureStage)),
    setWallets: (wallets) => serial(() => driver.transaction((tx) => setWallets(driver, tx, wallets))),
    recordRun: (r) => serial(() => recordRun(driver, r)),
    query: <T>(q: Labelled) => serial(async () => (await statement(driver.run, q, listeners)) as T[]),
    transaction: (fn) => serial(() => driver.transaction((tx) => fn((q) => statement(tx.run, q, listeners) as never))),
    close: () => serial(() => driver.close()),
    onQuery: (listener) => void listeners.push(listener),
  };
}
