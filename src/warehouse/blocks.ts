// The block follower's statements outside a load: moving its cursor back (`follow --rewind-to`).
import { utcDaySql } from "../model/time.ts";
import { labelled, prepared, raw, sql } from "./sql.ts";
import { NODE_SOURCE, TIP_SOURCE, type BlockCursor, type Warehouse } from "./types.ts";

/**
 * In one transaction: the cursor becomes `c`, the fast lane's tip is forgotten, and the rows above block `c.number`
 * are marked unconfirmed (their days rolled up again). How many rows were marked.
 */
export async function rewindBlockCursor(w: Warehouse, c: BlockCursor): Promise<number> {
  const d = w.dialect;
  const above = sql`block > ${c.number} AND status <> 'dropped'`;
  const day = raw(utcDaySql("timestamp_ms"));
  return w.transaction(async (q) => {
    const [n] = await q<{ n: string }>(
      labelled(
        "blocks.rows_above",
        sql`SELECT (SELECT count(*) FROM transfers WHERE ${above}) + (SELECT count(*) FROM transactions WHERE ${above}) AS n`,
      ),
    );
    const days = sql`SELECT DISTINCT ${day} AS day_ms FROM transfers WHERE ${above}
          UNION SELECT DISTINCT ${day} FROM transactions WHERE ${above}`;
    await q(
      labelled(
        "blocks.mark_days",
        prepared(d.insertSelectMissingSql("activity_days", ["day_ms"], days.text), days.params),
      ),
    );
    await q(labelled("blocks.unconfirm_transfers", sql`UPDATE transfers SET confirmed = false WHERE ${above}`));
    await q(labelled("blocks.unconfirm_transactions", sql`UPDATE transactions SET confirmed = false WHERE ${above}`));
    await q(labelled("blocks.forget_tip", sql`DELETE FROM block_cursors WHERE source = ${TIP_SOURCE}`));
    await q(labelled("blocks.forget_cursor", sql`DELETE FROM block_cursors WHERE source = ${NODE_SOURCE}`));
    await q(
      labelled(
        "blocks.set_cursor",
        sql`INSERT INTO block_cursors (source, number, block_id, timestamp_ms)
          VALUES (${NODE_SOURCE}, ${c.number}, ${c.blockId}, ${c.timestampMs})`,
      ),
    );
    return Number(n?.n ?? 0);
  });
}
