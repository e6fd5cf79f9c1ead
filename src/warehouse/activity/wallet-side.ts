// A watched wallet's side of a transfer or a transaction, written once: its direction ('out' when it sends,
// 'self' when it sends to itself, 'in' when it only receives) and its counterparty (the other address).
// Two branches each, so that a transfer between two watched wallets is seen once from each, and a wallet's
// transfer to itself once. `wallet`: one wallet (bound), or every watched wallet (joined from `wallets`).
import { empty, list, raw, type Sql, sql } from "../sql.ts";

export type SideOptions = {
  /** The columns wanted besides wallet, direction and counterparty, of `t` (transfers) or `x` (transactions). */
  select: Sql;
  /** A condition on `t`/`x` (and `w` when joined) for both branches. */
  where?: Sql;
  wallet?: string;
  /** With every watched wallet joined: only these of them. */
  among?: readonly string[];
};

const walletOf = (wallet?: string) => (wallet === undefined ? raw("w.address") : sql`CAST(${wallet} AS VARCHAR)`);
/** The conditions every branch adds: only `among` of the joined wallets, and the caller's `where`. */
const extra = (o: SideOptions) => {
  const among = o.among && o.wallet === undefined ? sql` AND w.address IN (${list(o.among)})` : empty;
  return sql`${among}${o.where ? sql` AND ${o.where}` : empty}`;
};

/** Columns: wallet, direction, counterparty, then `select` (over transfers `t`). */
export function walletTransfers(o: SideOptions): Sql {
  const branch = (mine: "from" | "to", direction: Sql, counterparty: string, also: Sql) => {
    const me = walletOf(o.wallet);
    const from =
      o.wallet === undefined ? raw(`transfers t JOIN wallets w ON t.${mine}_address = w.address`) : sql`transfers t`;
    const own = o.wallet === undefined ? empty : sql` AND t.${raw(mine)}_address = ${me}`;
    return sql`SELECT ${me} AS wallet, ${direction} AS direction, ${raw(counterparty)} AS counterparty, ${o.select}
      FROM ${from} WHERE TRUE${own}${also}${extra(o)}`;
  };
  const out = branch(
    "from",
    raw("CASE WHEN t.to_address = t.from_address THEN 'self' ELSE 'out' END"),
    "t.to_address",
    empty,
  );
  const into = branch("to", raw("'in'"), "t.from_address", sql` AND t.from_address <> ${walletOf(o.wallet)}`);
  return sql`${out}
    UNION ALL ${into}`;
}

/** Columns: wallet, direction, counterparty, then `select` (over transactions `x`). */
export function walletTransactions(o: SideOptions): Sql {
  const me = () => walletOf(o.wallet);
  const direction = sql`CASE WHEN x.owner_address = ${me()} AND x.to_address = ${me()} THEN 'self'
      WHEN x.owner_address = ${me()} THEN 'out' ELSE 'in' END`;
  const counterparty = sql`CASE WHEN x.owner_address = ${me()} THEN x.to_address ELSE x.owner_address END`;
  const branch = (mine: "owner" | "to", also: Sql) => {
    const from =
      o.wallet === undefined
        ? raw(`transactions x JOIN wallets w ON x.${mine}_address = w.address`)
        : sql`transactions x`;
    const own = o.wallet === undefined ? empty : sql` AND x.${raw(mine)}_address = ${me()}`;
    return sql`SELECT ${me()} AS wallet, ${direction} AS direction, ${counterparty} AS counterparty, ${o.select}
      FROM ${from} WHERE TRUE${own}${also}${extra(o)}`;
  };
  return sql`${branch("owner", empty)}
    UNION ALL ${branch("to", sql` AND (x.owner_address IS NULL OR x.owner_address <> ${me()})`)}`;
}

/** The transfer columns of a wallet's activity row. */
const ACTIVITY_TRANSFER = `t.transaction_id, t.transfer_id, t.block, t.timestamp_utc, t.timestamp_ms, t.asset_type,
  t.token_id, t.token_symbol, t.token_name, t.token_decimals, t.amount_raw, t.amount_num, t.amount, t.status, t.confirmed,
  CAST(NULL AS INTEGER) AS contract_type, t.risk, t.token_level`;
const ACTIVITY_TRANSACTION = `x.hash AS transaction_id, CAST(NULL AS VARCHAR) AS transfer_id, x.block, x.timestamp_utc,
  x.timestamp_ms, CAST(NULL AS VARCHAR) AS asset_type, CAST(NULL AS VARCHAR) AS token_id, CAST(NULL AS VARCHAR) AS token_symbol,
  CAST(NULL AS VARCHAR) AS token_name, CAST(NULL AS INTEGER) AS token_decimals, CAST(NULL AS VARCHAR) AS amount_raw,
  CAST(NULL AS DECIMAL(38,0)) AS amount_num, CAST(NULL AS VARCHAR) AS amount, x.status, x.confirmed, x.contract_type,
  CAST(NULL AS BOOLEAN) AS risk, CAST(NULL AS VARCHAR) AS token_level`;
export const ACTIVITY_COLUMNS = `wallet, kind, transaction_id, transfer_id, block, timestamp_utc, timestamp_ms, direction,
  counterparty, asset_type, token_id, token_symbol, token_name, token_decimals, amount_raw, amount_num, amount, status,
  confirmed, contract_type, risk, token_level`;

/**
 * What `wallet_activity` holds: for each watched wallet its transfers, and its transactions that moved nothing
 * for it (staking, contract calls...). For one wallet and a time window (ms, (from, to]) the conditions are
 * pushed into each branch: the view over every wallet is what makes a page slow on millions of rows.
 */
export function walletActivity(o: { wallet?: string; window?: { fromMs: number; toMs: number } } = {}): Sql {
  const within = (a: string) =>
    o.window
      ? sql`${raw(a)}.timestamp_ms > ${o.window.fromMs} AND ${raw(a)}.timestamp_ms <= ${o.window.toMs}`
      : undefined;
  const transfers = walletTransfers({
    select: sql`'transfer' AS kind, ${raw(ACTIVITY_TRANSFER)}`,
    wallet: o.wallet,
    where: within("t"),
  });
  const moved = sql`NOT EXISTS (SELECT 1 FROM transfers f WHERE f.transaction_id = x.hash
      AND (f.from_address = ${walletOf(o.wallet)} OR f.to_address = ${walletOf(o.wallet)}))`;
  const txWhere = o.window ? sql`${within("x")!} AND ${moved}` : moved;
  const transactions = walletTransactions({
    select: sql`'transaction' AS kind, ${raw(ACTIVITY_TRANSACTION)}`,
    wallet: o.wallet,
    where: txWhere,
  });
  const cols = raw(ACTIVITY_COLUMNS);
  return sql`SELECT ${cols} FROM (${transfers}) a
    UNION ALL SELECT ${cols} FROM (${transactions}) b`;
}
