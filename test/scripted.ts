// A scripted local HTTP server (one reply per request, the last repeated) and a clock that records sleeps: for the
// source clients' tests.
import { createServer, type IncomingMessage } from "node:http";
import { afterEach } from "vitest";
import type { Clock } from "../src/source/tronscan/rate-limit.ts";

export type Reply = { status: number; body: string; headers?: Record<string, string> };
let close: (() => void) | null = null;
afterEach(() => close?.());

export async function scripted(replies: Reply[]) {
  const seen: IncomingMessage[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => bodies.push(data));
    const r = replies[Math.min(seen.length - 1, replies.length - 1)];
    res.writeHead(r.status, { "content-type": "application/json", ...(r.headers ?? {}) });
    res.end(r.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  close = () => server.close();
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, bodies };
}

/** A clock that records sleeps instead of waiting. */
export function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}
