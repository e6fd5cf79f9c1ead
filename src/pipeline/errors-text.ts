// A run's stream errors as people read them: one line per distinct error, naming the streams it stopped, so that
// sixteen streams failing for one reason (no network) read as one line, not sixteen.
type StreamError = { wallet: string; endpoint: string; error: string };

/** "wallet endpoint: error" lines, streams with the same error merged: "<error> (16 streams: …)". */
export function errorLines(errors: readonly StreamError[], labels: Record<string, string | null> = {}): string[] {
  const byError = new Map<string, StreamError[]>();
  for (const e of errors) byError.set(e.error, [...(byError.get(e.error) ?? []), e]);
  return [...byError.entries()].map(([error, list]) => {
    if (list.length === 1) return `${streamName(list[0], labels)}: ${error}`;
    const wallets = new Set(list.map((e) => e.wallet));
    const endpoints = [...new Set(list.map((e) => e.endpoint))];
    const which =
      wallets.size === 1
        ? `${walletName([...wallets][0], labels)}: ${endpoints.join(", ")}`
        : `${wallets.size} wallets × ${endpoints.join(", ")}`;
    return `${error} (${list.length} streams — ${which})`;
  });
}

const walletName = (w: string, labels: Record<string, string | null>) => (labels[w] ? `${labels[w]} ${w}` : w);
const streamName = (e: StreamError, labels: Record<string, string | null>) =>
  `${walletName(e.wallet, labels)} ${e.endpoint}`;
