// The block follower's statements outside a load: moving its cursor back (`follow --rewind-to`).
import { utcDaySql } from "../model/time.ts";
import { NODE_SOURCE, TIP_SOURCE, type BlockCursor, type Warehouse } from "./types.ts";

/**
 * In one transaction: the cursor becomes `c`, the fast lane's tip is forgotten, and the rows above block `c.number`
 * are marked unconfirmed (their days rolled up again). How many rows were marked.
 */
export async function rewindBlockCursor(w: Warehouse, c: BlockCursor): Promise<number> {
  const d = w.dialect;
  return w.transaction(async (q) => {
    const above = "block > ? AND status <> 'dropped'";
    const [n] = await q<{ n: string }>(
      `SELECT (SELECT count(*) FROM transfers WHERE ${above}) + (SELECT count(*) FROM transactions WHERE ${above}) AS n`,
      [c.number, c.number],
    );
    await q(
      d.insertSelectMissingSql(
        "activity_days",
        ["day_ms"],
        `SELECT DISTINCT ${utcDaySql("timestamp_ms")} AS day_ms FROM transfers WHERE ${above}
          UNION SELECT DISTINCT ${utcDaySql("timestamp_ms")} FROM transactions WHERE ${above}`,
      ),
      [c.number, c.number],
    );
    await q(`UPDATE transfers SET confirmed = false WHERE ${above}`, [c.number]);
    await q(`UPDATE transactions SET confirmed = false WHERE ${above}`, [c.number]);
    await q("DELETE FROM block_cursors WHERE source = ?", [TIP_SOURCE]);
    await q("DELETE FROM block_cursors WHERE source = ?", [NODE_SOURCE]);
    await q("INSERT INTO block_cursors (source, number, block_id, timestamp_ms) VALUES (?, ?, ?, ?)", [
      NODE_SOURCE,
      c.number,
      c.blockId,
      c.timestampMs,
    ]);
    return Number(n?.n ?? 0);
  });
}
