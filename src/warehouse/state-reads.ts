// The pipeline's own state read back: a stream's cursor, the block cursor, the oldest unconfirmed row, the tokens.
import type { Endpoint, TokenRow } from "../model/rows.ts";
import { num } from "./batching.ts";
import type { Exec } from "./driver.ts";
import type { BlockCursor, Cursor } from "./types.ts";

export async function getCursor(run: Exec, wallet: string, endpoint: Endpoint): Promise<Cursor | null> {
  const [r] = await run(
    `SELECT synced_to_ms, walk_top_ms, walk_low_ms, walk_floor_ms, newest_ms FROM sync_cursors
      WHERE wallet = ? AND endpoint = ?`,
    [wallet, endpoint],
  );
  if (!r) return null;
  return {
    wallet,
    endpoint,
    syncedToMs: num(r.synced_to_ms),
    walkTopMs: num(r.walk_top_ms),
    walkLowMs: num(r.walk_low_ms),
    walkFloorMs: num(r.walk_floor_ms),
    newestMs: num(r.newest_ms),
  };
}

export async function getBlockCursor(run: Exec, source: string): Promise<BlockCursor | null> {
  const [r] = await run("SELECT number, block_id, timestamp_ms FROM block_cursors WHERE source = ?", [source]);
  return r
    ? { source, number: Number(r.number), blockId: String(r.block_id), timestampMs: Number(r.timestamp_ms) }
    : null;
}

/** Oldest unconfirmed transfer/transaction timestamp touching a wallet, newer than sinceMs. */
export async function oldestPendingMs(run: Exec, wallet: string, sinceMs: number): Promise<number | null> {
  const side = (a: string, b: string) => `WHERE NOT confirmed AND timestamp_ms >= ? AND (${a} = ? OR ${b} = ?)`;
  const [r] = await run(`SELECT min(timestamp_ms) AS ms FROM transfers ${side("from_address", "to_address")}`, [
    sinceMs,
    wallet,
    wallet,
  ]);
  const [x] = await run(`SELECT min(timestamp_ms) AS ms FROM transactions ${side("owner_address", "to_address")}`, [
    sinceMs,
    wallet,
    wallet,
  ]);
  const vals = [num(r?.ms), num(x?.ms)].filter((v): v is number => v !== null);
  return vals.length ? Math.min(...vals) : null;
}

export async function storedTokens(run: Exec): Promise<TokenRow[]> {
  const rows = await run("SELECT token_id, asset_type, symbol, name, decimals, level FROM tokens");
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return rows.map((r) => ({
    tokenId: String(r.token_id),
    assetType: r.asset_type as TokenRow["assetType"],
    symbol: text(r.symbol),
    name: text(r.name),
    decimals: num(r.decimals),
    level: text(r.level),
  }));
}
