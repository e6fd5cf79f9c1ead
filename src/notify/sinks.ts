// How each sink kind sends one event. Secrets are read from the environment at send time, never logged.
import { createHmac } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../config/schema.ts";
import type { NotifyEvent } from "./events.ts";

export type Sink = Config["notify"]["sinks"][number];

function secret(name: string | null, sink: Sink, key: string): string {
  const v = name ? process.env[name] : undefined;
  if (!v) throw new Error(`sink ${sink.name}: environment variable ${name} (${key}) is not set`);
  return v;
}

/** The webhook body: the event, its data, and a line of text. */
export const webhookBody = (e: NotifyEvent) => JSON.stringify({
  id: e.eventId, type: e.kind, event: e.event, severity: e.severity, name: e.name, wallet: e.wallet,
  occurred_at: new Date(e.occurredMs).toISOString(), text: e.text, data: e.data,
});

/** HMAC-SHA256 over `<timestamp>.<body>`, hex: what X-Tronmon-Signature carries after "sha256=". */
export const sign = (key: string, timestamp: string, body: string) => createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex");

export async function send(sink: Sink, e: NotifyEvent, opts: { timeoutMs: number; nowMs: number }): Promise<void> {
  if (sink.kind === "file") {
    const line = webhookBody(e) + "\n";
    if (sink.path === "-") process.stdout.write(line);
    else {
      mkdirSync(dirname(sink.path!), { recursive: true });
      appendFileSync(sink.path!, line);
    }
    return;
  }
  let url: string, body: string;
  const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": e.eventId, "x-tronmon-event-id": e.eventId };
  if (sink.kind === "webhook") {
    url = secret(sink.url_env, sink, "url_env");
    body = webhookBody(e);
    const timestamp = String(Math.floor(opts.nowMs / 1000));
    headers["x-tronmon-timestamp"] = timestamp;
    if (sink.secret_env) headers["x-tronmon-signature"] = `sha256=${sign(secret(sink.secret_env, sink, "secret_env"), timestamp, body)}`;
  } else if (sink.kind === "slack") {
    url = secret(sink.url_env, sink, "url_env");
    body = JSON.stringify({ text: e.text });
  } else {
    url = `${sink.api_base.replace(/\/+$/, "")}/bot${secret(sink.token_env, sink, "token_env")}/sendMessage`;
    body = JSON.stringify({ chat_id: sink.chat_id, text: e.text, disable_web_page_preview: true });
  }
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    const x = err as Error;
    // the URL may hold a secret (Slack, Telegram): never in the message
    throw new Error(x.name === "TimeoutError" ? `timed out after ${opts.timeoutMs} ms` : `network error: ${x.cause instanceof Error ? x.cause.message : x.message}`);
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200).replace(/\s+/g, " ")}`);
}
