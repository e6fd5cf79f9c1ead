// An incoming airdrop of a token that is spam: flagged risky by TronScan, of level 3/4, or a fake.
import { labelled, sql } from "../../warehouse/sql.ts";
import { amountOf, type Detector, ofTransfer, tokenOf } from "../detector.ts";
import { candidates, SPAM } from "../fragments.ts";

export const spamToken: Detector = {
  type: "spam_token",
  scoresNewTransfers: true,
  query: (ctx) =>
    labelled(
      "anomalies.spam_token",
      sql`WITH c AS
        (${candidates(ctx.d, ctx.watermarkMs, ctx.known, [sql`a.asset_type IN ('trc10', 'trc20') AND a.direction = 'in'`], ctx.wallets)})
      SELECT c.wallet, c.transfer_id, c.transaction_id, c.token_id, c.token_symbol, c.token_name, c.token_level, c.risk,
        c.amount, c.amount_raw, c.timestamp_ms, c.confirmed
      FROM c WHERE ${SPAM}`,
    ),
  toAnomaly: (r) => {
    const level = r.token_level === "3" || r.token_level === "4" ? String(r.token_level) : null;
    const why = [
      r.risk ? "flagged risky by TronScan" : null,
      level ? `token level ${level} (${level === "4" ? "unsafe" : "suspicious"})` : null,
    ].filter(Boolean);
    return {
      ...ofTransfer("spam_token", r),
      severity: "info",
      reason: `Airdrop of ${amountOf(r)} ${tokenOf(r)} (${r.token_id}): ${why.join(", ") || "imitates a well-known token"}.`,
      details: { risk: r.risk, token_level: r.token_level },
    };
  },
};
