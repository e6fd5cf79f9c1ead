// Terminal progress for backfills: one bar per wallet/endpoint, only when stderr is a terminal.
import cliProgress from "cli-progress";
import type { Progress } from "../pipeline/walk-types.ts";

export function createProgress(labels: Record<string, string | null>): { onProgress: Progress; stop(): void } {
  if (!process.stderr.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const multi = new cliProgress.MultiBar(
    {
      format: " {name} |{bar}| {value}/{total} rows  reached {reached}",
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    onProgress: ({ wallet, endpoint, rows, expected, reachedMs }) => {
      const key = `${wallet}/${endpoint}`;
      const name = `${(labels[wallet] ?? wallet.slice(0, 8)).padEnd(16).slice(0, 16)} ${endpoint.padEnd(11)}`;
      const total = Math.max(rows, expected ?? rows);
      let bar = bars.get(key);
      if (!bar) bars.set(key, (bar = multi.create(total, 0, { name, reached: "" })));
      bar.setTotal(total);
      bar.update(rows, {
        name,
        reached: reachedMs ? new Date(reachedMs).toISOString().slice(0, 16).replace("T", " ") : "",
      });
    },
    stop: () => multi.stop(),
  };
}
