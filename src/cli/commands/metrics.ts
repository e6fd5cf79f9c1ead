// tronmon metrics: per wallet and per wallet and token, exact volumes over all time, 30 and 7 days.
import { parseNow, withWarehouse, type GlobalOptions } from "../context.ts";
import { table } from "../table.ts";
import { walletMetrics } from "../../warehouse/activity/metrics.ts";
import { walletExposure } from "../../warehouse/activity/exposure.ts";
import { formatUnits } from "../../model/amount.ts";
import { isAddress } from "../../model/address.ts";
import { imitatedToken, tokenText } from "../../model/tokens.ts";
import { isoUtc } from "../../model/columns.ts";
import { UsageError } from "../../internal/errors.ts";

export async function metricsCommand(
  opts: GlobalOptions & { wallet?: string; json?: boolean; now?: string },
): Promise<number> {
  if (opts.wallet && !isAddress(opts.wallet))
    throw new UsageError(`metrics: --wallet ${JSON.stringify(opts.wallet)} is not a valid TRON address`);
  const nowMs = parseNow(opts.now, "metrics");
  return withWarehouse(opts, async ({ warehouse: w }) => {
    const fmt = (raw: string | null, d: string | number | null) =>
      raw === null ? "0" : d === null ? `${raw} (raw)` : formatUnits(BigInt(raw), Number(d));
    const { wallets, tokens } = await walletMetrics(w, nowMs, opts.wallet);
    const exposure = (await walletExposure(w, nowMs, opts.wallet)).map((e) => ({
      wallet: e.wallet,
      token: tokenText(String(e.token_id), e.token_symbol),
      token_id: e.token_id,
      inbound_30d: fmt(e.in_raw_recent, e.token_decimals),
      from_listed_30d: fmt(e.listed_raw_recent, e.token_decimals),
      share_30d_pct: e.share_recent,
      listed_transfers_30d: e.listed_transfers_recent,
      inbound: fmt(e.in_raw, e.token_decimals),
      from_listed: fmt(e.listed_raw, e.token_decimals),
      share_pct: e.share,
      listed_transfers: e.listed_transfers,
    }));
    const tokenRows = tokens.map((t) => ({
      wallet: t.wallet,
      token: tokenText(String(t.token_id), t.token_symbol, t.token_name ?? null),
      token_id: t.token_id,
      imitates: imitatedToken(String(t.token_id), t.token_symbol, t.token_name ?? null)?.tokenId ?? null,
      ...Object.fromEntries(
        ["", "_30d", "_7d"].flatMap((s) => [
          [`transfers${s}`, Number(t[`transfers${s}`])],
          [`volume_in${s}`, fmt(t[`volume_in_raw${s}`], t.token_decimals)],
          [`volume_out${s}`, fmt(t[`volume_out_raw${s}`], t.token_decimals)],
          [`largest${s}`, fmt(t[`largest_raw${s}`], t.token_decimals)],
          [`counterparties${s}`, Number(t[`counterparties${s}`])],
        ]),
      ),
      first_seen: t.first_seen_ms ? isoUtc(Number(t.first_seen_ms)) : null,
      last_seen: t.last_seen_ms ? isoUtc(Number(t.last_seen_ms)) : null,
      oversized_amounts: Number(t.oversized_amounts),
    }));
    const walletRows = wallets.map((m) => ({
      observed_wallet: m.observed_wallet,
      label: m.label,
      total_tx: Number(m.total_tx),
      failed_tx: Number(m.failed_tx),
      distinct_tokens: Number(m.distinct_tokens),
      last_tx: m.last_tx_ms ? isoUtc(Number(m.last_tx_ms)) : null,
      minutes_since_last_tx: m.minutes_since_last_tx === null ? null : Number(m.minutes_since_last_tx),
    }));
    if (opts.json) {
      process.stdout.write(
        JSON.stringify({ now: isoUtc(nowMs), wallets: walletRows, tokens: tokenRows, exposure }, null, 2) + "\n",
      );
      return 0;
    }
    process.stdout.write(table(walletRows) + "\n\n");
    process.stdout.write(
      table(
        tokenRows.map((t) => ({
          wallet: t.wallet.slice(0, 10) + "…",
          token: t.token,
          "tx 7d": t.transfers_7d,
          "in 7d": t.volume_in_7d,
          "out 7d": t.volume_out_7d,
          "tx 30d": t.transfers_30d,
          "in 30d": t.volume_in_30d,
          "out 30d": t.volume_out_30d,
          "tx all": t.transfers,
          largest: t.largest,
          counterparties: t.counterparties,
          "last seen": t.last_seen,
        })),
      ) + "\n",
    );
    printExposure(exposure);
    return 0;
  });
}

/** The tokens with inbound value from listed addresses (the rest have none: one line says so). */
function printExposure(rows: Record<string, string | number | null>[]) {
  const hit = rows.filter((r) => Number(r.listed_transfers) > 0);
  process.stdout.write("\nExposure: inbound value directly from listed addresses (tronmon lists)\n");
  if (!hit.length) {
    process.stdout.write("none: no watched wallet received anything from a listed address\n");
    return;
  }
  process.stdout.write(
    table(
      hit.map((r) => ({
        wallet: String(r.wallet).slice(0, 10) + "…",
        token: r.token,
        "listed 30d": r.from_listed_30d,
        "share 30d %": r.share_30d_pct ?? "-",
        "tx 30d": r.listed_transfers_30d,
        "listed all": r.from_listed,
        "share all %": r.share_pct ?? "-",
        "tx all": r.listed_transfers,
      })),
    ) + "\n",
  );
}
