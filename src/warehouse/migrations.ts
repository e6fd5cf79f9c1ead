// Table definitions, written once and rendered per dialect. Versioned: append migrations, never edit old ones.
import type { Dialect } from "./types.ts";
import type { ColumnType } from "../model/columns.ts";
import { type Column as ModelColumn, TRANSACTION_COLUMNS, TRANSFER_COLUMNS, tableColumns } from "../model/columns.ts";
import { allActivityDaysSql } from "./upsert.ts";
import { walletActivity } from "./activity/wallet-side.ts";
import { walletMetricsSql, walletTokenMetricsSql } from "./activity/metrics-sql.ts";
import { raw } from "./sql.ts";
import { viewsSql } from "./views.ts";

type Column = [name: string, type: ColumnType, constraint?: string];
/** primaryKey: enforced where given; the two large tables are kept unique by their MERGE instead (see upsert.ts). */
type Table = { name: string; columns: Column[]; primaryKey?: string[]; uniqueBy?: string[] };

/** A table's columns as of migration `upTo` (later ones are added by their migration). */
const columnsOf = <R>(cols: readonly ModelColumn<R>[], upTo?: number): Column[] =>
  tableColumns(cols, upTo).map((c) => [c.name, c.type!, c.notNull ? "NOT NULL" : undefined]);

export const TABLES: Record<string, Table> = {
  transactions: { name: "transactions", uniqueBy: ["hash"], columns: columnsOf(TRANSACTION_COLUMNS) },
  transfers: { name: "transfers", uniqueBy: ["transfer_id"], columns: columnsOf(TRANSFER_COLUMNS, 1) },
  tokens: {
    name: "tokens",
    primaryKey: ["token_id"],
    columns: [
      ["token_id", "text", "NOT NULL"],
      ["asset_type", "text"],
      ["symbol", "text"],
      ["name", "text"],
      ["decimals", "int"],
      ["level", "text"],
      ["updated_at", "timestamp"],
    ],
  },
  wallets: {
    name: "wallets",
    primaryKey: ["address"],
    columns: [
      ["address", "text", "NOT NULL"],
      ["label", "text"],
      ["added_at", "timestamp"],
    ],
  },
  sync_cursors: {
    name: "sync_cursors",
    primaryKey: ["wallet", "endpoint"],
    columns: [
      ["wallet", "text", "NOT NULL"],
      ["endpoint", "text", "NOT NULL"],
      ["synced_to_ms", "bigint"],
      ["walk_top_ms", "bigint"],
      ["walk_low_ms", "bigint"],
      ["walk_floor_ms", "bigint"],
      ["newest_ms", "bigint"],
      ["updated_at", "timestamp"],
    ],
  },
  quarantine: {
    name: "quarantine",
    primaryKey: ["quarantine_id"],
    columns: [
      ["quarantine_id", "text", "NOT NULL"],
      ["endpoint", "text"],
      ["reason", "text"],
      ["record", "json"],
      ["observed_at", "timestamp"],
      ["run_id", "text"],
    ],
  },
  runs: {
    name: "runs",
    primaryKey: ["run_id"],
    columns: [
      ["run_id", "text", "NOT NULL"],
      ["command", "text"],
      ["started_at", "timestamp"],
      ["ended_at", "timestamp"],
      ["status", "text"],
      ["error", "text"],
      ["counts", "json"],
    ],
  },
};

/** Risk lists (migration 12): every version loaded, and entries with the versions that added and removed them. */
export const RISK_TABLES: Record<string, Table> = {
  risk_lists: {
    name: "risk_lists",
    primaryKey: ["list_name", "version"],
    columns: [
      ["list_name", "text", "NOT NULL"],
      ["version", "int", "NOT NULL"],
      ["kind", "text", "NOT NULL"],
      ["source", "text"],
      ["retrieved_at_ms", "bigint", "NOT NULL"],
      ["imported_at_ms", "bigint", "NOT NULL"],
      ["content_hash", "text", "NOT NULL"],
      ["entry_count", "int", "NOT NULL"],
      ["added_count", "int", "NOT NULL"],
      ["removed_count", "int", "NOT NULL"],
      ["screened_at_ms", "bigint"],
    ],
  },
  risk_entries: {
    name: "risk_entries",
    primaryKey: ["list_name", "address", "added_version"],
    columns: [
      ["list_name", "text", "NOT NULL"],
      ["address", "text", "NOT NULL"],
      ["category", "text", "NOT NULL"],
      ["note", "text"],
      ["added_version", "int", "NOT NULL"],
      ["removed_version", "int"],
      ["listed_at_ms", "bigint", "NOT NULL"],
      ["removed_at_ms", "bigint"],
      ["details", "json"],
    ],
  },
};

/** Tether's blacklist events, each once (migration 13): what the tether-frozen list is rebuilt from. */
export const TETHER_EVENTS: Table = {
  name: "tether_events",
  primaryKey: ["transaction_id", "kind", "address"],
  columns: [
    ["transaction_id", "text", "NOT NULL"],
    ["kind", "text", "NOT NULL"],
    ["address", "text", "NOT NULL"],
    ["block", "bigint", "NOT NULL"],
    ["timestamp_ms", "bigint", "NOT NULL"],
    ["amount_raw", "raw_amount"],
    ["source", "text", "NOT NULL"],
  ],
};

/**
 * The analyst's decisions (migration 14): a disposition per closed alert or finding (true positive, false positive,
 * benign, with a reason), and suppressions — a wallet × rule or detector (× counterparty) condition kept from
 * reopening until it worsens past `factor` × `baseline` or `until_ms` passes. See warehouse/triage.ts.
 */
export const TRIAGE_TABLES: Record<string, Table> = {
  dispositions: {
    name: "dispositions",
    primaryKey: ["item_kind", "item_id"],
    columns: [
      ["item_kind", "text", "NOT NULL"],
      ["item_id", "text", "NOT NULL"],
      ["source", "text", "NOT NULL"],
      ["wallet", "text", "NOT NULL"],
      ["disposition", "text", "NOT NULL"],
      ["reason", "text", "NOT NULL"],
      ["decided_by", "text", "NOT NULL"],
      ["decided_at_ms", "bigint", "NOT NULL"],
    ],
  },
  suppressions: {
    name: "suppressions",
    primaryKey: ["suppression_id"],
    columns: [
      ["suppression_id", "text", "NOT NULL"],
      ["wallet", "text", "NOT NULL"],
      ["kind", "text", "NOT NULL"],
      ["name", "text", "NOT NULL"],
      ["counterparty", "text"],
      ["baseline", "text"],
      ["factor", "text", "NOT NULL"],
      ["until_ms", "bigint"],
      ["reason", "text", "NOT NULL"],
      ["created_by", "text", "NOT NULL"],
      ["created_at_ms", "bigint", "NOT NULL"],
      ["removed_at_ms", "bigint"],
      ["removed_by", "text"],
    ],
  },
};

/** What each TronGrid backfill of Tether's blacklist proved complete (migration 13), with the events it stored. */
export const TETHER_BACKFILLS: Table = {
  name: "tether_backfills",
  primaryKey: ["run_at_ms"],
  columns: [
    ["run_at_ms", "bigint", "NOT NULL"],
    ["from_ms", "bigint", "NOT NULL"],
    ["to_ms", "bigint", "NOT NULL"],
    ["events_seen", "int", "NOT NULL"],
    ["events_new", "int", "NOT NULL"],
    ["requests", "int", "NOT NULL"],
    ["source", "text", "NOT NULL"],
  ],
};

export function createTableSql(d: Dialect, t: Table): string {
  const cols = t.columns.map(([n, type, c]) => `  ${n} ${d.columnType(type)}${c ? " " + c : ""}`);
  if (t.primaryKey) cols.push(`  PRIMARY KEY (${t.primaryKey.join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n${cols.join(",\n")}\n)`;
}

/** For each watched wallet: its transfers, and its transactions that moved nothing for it (staking, calls...). */
export const WALLET_ACTIVITY_VIEW = `CREATE OR REPLACE VIEW wallet_activity AS\n${walletActivity().text}`;

/** Rules and alerts (migration 2). */
export const RULE_TABLES: Record<string, Table> = {
  alert_thresholds: {
    name: "alert_thresholds",
    primaryKey: ["rule_name"],
    columns: [
      ["rule_name", "text", "NOT NULL"],
      ["kind", "text", "NOT NULL"],
      ["period_days", "int", "NOT NULL"],
      ["threshold", "text", "NOT NULL"],
      ["token_id", "text"],
      ["direction", "text", "NOT NULL"],
      ["wallets", "json"],
      ["enabled", "bool", "NOT NULL"],
      ["updated_at", "timestamp"],
    ],
  },
  alerts: {
    name: "alerts",
    primaryKey: ["alert_id"],
    columns: [
      ["alert_id", "text", "NOT NULL"],
      ["rule_name", "text", "NOT NULL"],
      ["wallet", "text", "NOT NULL"],
      ["kind", "text"],
      ["status", "text", "NOT NULL"],
      ["value", "text", "NOT NULL"],
      ["threshold", "text", "NOT NULL"],
      ["token_id", "text"],
      ["token_symbol", "text"],
      ["direction", "text"],
      ["period_days", "int"],
      ["first_seen_ms", "bigint", "NOT NULL"],
      ["last_seen_ms", "bigint", "NOT NULL"],
      ["resolved_at_ms", "bigint"],
      ["note", "text"],
      ["acted_by", "text"],
      ["version", "int", "NOT NULL"],
      ["exported_version", "int", "NOT NULL"],
      ["updated_at", "timestamp"],
    ],
  },
};

/** The rules' daily rollup (migration 3): see warehouse/activity/rollup.ts. */
export const ROLLUP_TABLES: Record<string, Table> = {
  activity_days: { name: "activity_days", primaryKey: ["day_ms"], columns: [["day_ms", "bigint", "NOT NULL"]] },
  wallet_daily: {
    name: "wallet_daily",
    columns: [
      ["wallet", "text", "NOT NULL"],
      ["day_ms", "bigint", "NOT NULL"],
      ["bucket", "text", "NOT NULL"],
      ["tx_any", "bigint"],
      ["tx_in", "bigint"],
      ["tx_out", "bigint"],
      ["vol_in", "raw_amount"],
      ["vol_out", "raw_amount"],
      ["first_ms", "bigint"],
    ],
  },
};

/** Every watched wallet's side of each transfer and transaction, day by day (migration 9): see warehouse/activity/rollup.ts. */
export const WALLET_HISTORY: Table = {
  name: "wallet_history",
  columns: [
    ["wallet", "text", "NOT NULL"],
    ["day_ms", "bigint", "NOT NULL"],
    ["timestamp_ms", "bigint", "NOT NULL"],
    ["tx", "text", "NOT NULL"],
    ["transfer_id", "text"],
    ["is_transfer", "int", "NOT NULL"],
    ["direction", "text", "NOT NULL"],
    ["counterparty", "text"],
    ["status", "text"],
    ["asset_type", "text"],
    ["token_id", "text"],
    ["token_symbol", "text"],
    ["token_name", "text"],
    ["token_decimals", "int"],
    ["amount_num", "raw_amount"],
    ["amount_raw", "text"],
    ["amount", "text"],
    ["block", "bigint"],
    ["timestamp_utc", "timestamp"],
    ["confirmed", "bool"],
    ["contract_type", "int"],
    ["risk", "bool"],
    ["token_level", "text"],
  ],
};

/** Where each block follower stands (migration 10): see pipeline/follow-blocks.ts. */
export const BLOCK_CURSORS: Table = {
  name: "block_cursors",
  primaryKey: ["source"],
  columns: [
    ["source", "text", "NOT NULL"],
    ["number", "bigint", "NOT NULL"],
    ["block_id", "text", "NOT NULL"],
    ["timestamp_ms", "bigint", "NOT NULL"],
    ["updated_at", "timestamp"],
  ],
};

/**
 * Since when the block follower covers each watched wallet (migration 11): its rows after block `from_block` come from
 * blocks; TronScan backfills it until its cursors reach `from_ms` (warehouse/coverage.ts).
 */
export const NODE_COVERAGE: Table = {
  name: "node_coverage",
  primaryKey: ["wallet"],
  columns: [
    ["wallet", "text", "NOT NULL"],
    ["from_block", "bigint", "NOT NULL"],
    ["from_ms", "bigint", "NOT NULL"],
  ],
};

/** The dashboard's daily rollup over all watched wallets (migration 9): see warehouse/activity/rollup.ts. */
export const WATCHED_DAILY: Table = {
  name: "watched_daily",
  columns: [
    ["day_ms", "bigint", "NOT NULL"],
    ["bucket", "text", "NOT NULL"],
    ["tx", "bigint"],
    ["tx_transfers", "bigint"],
    ["transfers", "bigint"],
    ["volume", "raw_amount"],
    ["token_symbol", "text"],
    ["token_name", "text"],
    ["token_decimals", "int"],
  ],
};

/** Anomalies (migration 4). */
export const ANOMALY_TABLES: Record<string, Table> = {
  anomalies: {
    name: "anomalies",
    primaryKey: ["anomaly_id"],
    columns: [
      ["anomaly_id", "text", "NOT NULL"],
      ["anomaly_type", "text", "NOT NULL"],
      ["wallet", "text", "NOT NULL"],
      ["transaction_id", "text"],
      ["transfer_id", "text"],
      ["token_id", "text"],
      ["token_symbol", "text"],
      ["amount", "text"],
      ["amount_raw", "text"],
      ["reason", "text", "NOT NULL"],
      ["details", "json"],
      ["occurred_at_ms", "bigint"],
      ["detected_at_ms", "bigint", "NOT NULL"],
      ["exported", "bool", "NOT NULL"],
    ],
  },
  detector_state: {
    name: "detector_state",
    primaryKey: ["name"],
    columns: [
      ["name", "text", "NOT NULL"],
      ["watermark_ms", "bigint"],
    ],
  },
};

/**
 * Per watched wallet and counterparty, the first successful non-spam transfer between them (`first_ms`) and
 * the first of non-zero value (`first_value_ms`): kept by the detectors so that "new counterparty" and
 * "known counterparty" never scan the history. `counterparty_wallets` lists the wallets whose history is in.
 */
export const COUNTERPARTY_TABLES: Record<string, Table> = {
  counterparties: {
    name: "counterparties",
    uniqueBy: ["wallet", "counterparty"], // kept unique by its MERGE: an index over millions of pairs costs memory
    columns: [
      ["wallet", "text", "NOT NULL"],
      ["counterparty", "text", "NOT NULL"],
      ["first_ms", "bigint", "NOT NULL"],
      ["first_value_ms", "bigint"],
    ],
  },
  counterparty_wallets: {
    name: "counterparty_wallets",
    primaryKey: ["wallet"],
    columns: [["wallet", "text", "NOT NULL"]],
  },
};

/** Notifications: one row per event and sink, delivered at least once (see notify/delivery.ts). */
export const NOTIFY_TABLES: Record<string, Table> = {
  outbox: {
    name: "outbox",
    primaryKey: ["sink", "event_id"],
    columns: [
      ["sink", "text", "NOT NULL"],
      ["event_id", "text", "NOT NULL"],
      ["kind", "text", "NOT NULL"],
      ["severity", "text", "NOT NULL"],
      ["payload", "json", "NOT NULL"],
      ["created_ms", "bigint", "NOT NULL"],
      ["status", "text", "NOT NULL"],
      ["attempts", "int", "NOT NULL"],
      ["next_attempt_ms", "bigint", "NOT NULL"],
      ["delivered_ms", "bigint"],
      ["last_error", "text"],
    ],
  },
  notify_sinks: {
    name: "notify_sinks",
    primaryKey: ["sink"],
    columns: [
      ["sink", "text", "NOT NULL"],
      ["since_ms", "bigint", "NOT NULL"],
      ["scanned_to_ms", "bigint", "NOT NULL"],
    ],
  },
};

/**
 * What each stream returned for each wallet, one row per unit the API counts (model/rows.ts ObservationRow):
 * `tronmon verify` compares these, still backed by stored rows, with the API's count per day.
 */
export const OBSERVATION_TABLES: Record<string, Table> = {
  observations: {
    name: "observations",
    uniqueBy: ["wallet", "endpoint", "unit_id"], // kept unique by its insert-if-missing (see upsert.ts)
    columns: [
      ["wallet", "text", "NOT NULL"],
      ["endpoint", "text", "NOT NULL"],
      ["unit_id", "text", "NOT NULL"],
      ["unit_kind", "text", "NOT NULL"],
      ["timestamp_ms", "bigint", "NOT NULL"],
    ],
  },
  /** The last verdict of `tronmon verify` per wallet, stream and UTC day (health.gap reads it). */
  verify_results: {
    name: "verify_results",
    primaryKey: ["wallet", "endpoint", "day_ms"],
    columns: [
      ["wallet", "text", "NOT NULL"],
      ["endpoint", "text", "NOT NULL"],
      ["day_ms", "bigint", "NOT NULL"],
      ["api_count", "bigint"],
      ["stored", "bigint", "NOT NULL"],
      ["verdict", "text", "NOT NULL"],
      ["checked_ms", "bigint", "NOT NULL"],
    ],
  },
};

export type Migration = { version: number; name: string; statements: (d: Dialect) => string[] };

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "spine: transactions, transfers, tokens, wallets, cursors, quarantine, runs, wallet_activity",
    statements: (d) => [...Object.values(TABLES).map((t) => createTableSql(d, t)), WALLET_ACTIVITY_VIEW],
  },
  {
    version: 2,
    name: "rules and alerts: alert_thresholds, alerts, wallet_metrics, wallet_token_metrics, alert_rules_view",
    statements: (d) => [
      ...Object.values(RULE_TABLES).map((t) => createTableSql(d, t)),
      `CREATE OR REPLACE VIEW wallet_metrics AS ${walletMetricsSql(raw(d.nowMs())).text}`,
      `CREATE OR REPLACE VIEW wallet_token_metrics AS ${walletTokenMetricsSql(raw(d.nowMs())).text}`,
      `CREATE OR REPLACE VIEW alert_rules_view AS
        SELECT rule_name AS rule, wallet, period_days AS period, value, threshold, status,
          ${d.msToTimestamp("last_seen_ms")} AS time, ${d.msToTimestamp("first_seen_ms")} AS first_seen, alert_id, token_id, direction
        FROM alerts`,
    ],
  },
  {
    version: 3,
    name: "daily rollup for rule evaluation: activity_days, wallet_daily",
    statements: (d) => [
      ...Object.values(ROLLUP_TABLES).map((t) => createTableSql(d, t)),
      // every day already holding activity is to be rolled up
      `INSERT INTO activity_days ${allActivityDaysSql()}`,
    ],
  },
  {
    version: 4,
    name: "anomalies: anomalies, detector_state",
    statements: (d) => Object.values(ANOMALY_TABLES).map((t) => createTableSql(d, t)),
  },
  {
    version: 5,
    name: "first-seen counterparties for the detectors: counterparties, counterparty_wallets",
    statements: (d) => [
      ...Object.values(COUNTERPARTY_TABLES).map((t) => createTableSql(d, t)),
      // the detectors fill the table from the rows they score: score everything once more (ids are stable: nothing
      // doubles)
      "DELETE FROM detector_state",
    ],
  },
  {
    version: 6,
    name: "notifications: outbox, notify_sinks",
    statements: (d) => Object.values(NOTIFY_TABLES).map((t) => createTableSql(d, t)),
  },
  {
    version: 7,
    name: "completeness: observations ledger, verify results; TRC721 token ids apart from amounts",
    statements: (d) => [
      ...Object.values(OBSERVATION_TABLES).map((t) => createTableSql(d, t)),
      `ALTER TABLE transfers ADD COLUMN IF NOT EXISTS nft_token_id ${d.columnType("text")}`,
      // TRC721 rows stored before: the NFT's id was kept as the amount
      `UPDATE transfers SET nft_token_id = amount_raw, amount_raw = '1', amount = '1', amount_num = NULL
        WHERE asset_type = 'trc721' AND nft_token_id IS NULL`,
    ],
  },
  {
    version: 8,
    name: "signal over noise: anomaly severity; anomalies reviewed by whom and when",
    statements: (d) => [
      `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS severity ${d.columnType("text")}`,
      `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS reviewed_at_ms ${d.columnType("bigint")}`,
      `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS reviewed_by ${d.columnType("text")}`,
      // findings stored before: the severity their type had then
      `UPDATE anomalies SET severity = CASE anomaly_type WHEN 'address_poisoning' THEN 'critical'
          WHEN 'new_counterparty' THEN 'info' WHEN 'spam_token' THEN 'info' ELSE 'warning' END
        WHERE severity IS NULL`,
    ],
  },
  {
    version: 9,
    name: "rollups the dashboard and the detectors read: wallet_history, watched_daily, wallet_daily.first_ms",
    statements: (d) => [
      createTableSql(d, WATCHED_DAILY),
      createTableSql(d, WALLET_HISTORY),
      `ALTER TABLE wallet_daily ADD COLUMN IF NOT EXISTS first_ms ${d.columnType("bigint")}`,
      // every day already holding activity is rolled up again, into both
      "DELETE FROM wallet_daily",
      d.insertSelectMissingSql("activity_days", ["day_ms"], allActivityDaysSql()),
    ],
  },
  {
    version: 10,
    name: "block source: block_cursors",
    statements: (d) => [createTableSql(d, BLOCK_CURSORS)],
  },
  {
    version: 11,
    name: "hybrid source: node_coverage",
    statements: (d) => [createTableSql(d, NODE_COVERAGE)],
  },
  {
    version: 12,
    name: "counterparty risk: risk_lists, risk_entries",
    statements: (d) => Object.values(RISK_TABLES).map((t) => createTableSql(d, t)),
  },
  {
    version: 13,
    name: "Tether blacklist events, each once, and the TronGrid backfills: tether_events, tether_backfills",
    statements: (d) => [createTableSql(d, TETHER_EVENTS), createTableSql(d, TETHER_BACKFILLS)],
  },
  {
    version: 14,
    name: "the analyst's desk: dispositions, suppressions, anomalies.suppressed_by",
    statements: (d) => [
      ...Object.values(TRIAGE_TABLES).map((t) => createTableSql(d, t)),
      `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS suppressed_by ${d.columnType("text")}`,
    ],
  },
  {
    version: 15,
    name: "views for one's own SQL: v_wallet_transfers, v_alerts, v_anomalies (DECIMAL token units, TIMESTAMP times)",
    statements: (d) => viewsSql(d),
  },
];
