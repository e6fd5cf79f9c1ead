// How each sink kind sends one event. Secrets are read from the environment at send time, never logged.
import { createHmac } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../config/schema.ts";
import type { NotifyEvent } from "./events.ts";
import { scrubUrls } from "../internal/scrub.ts";

/** What is read of a receiver's answer at most: enough for an error message. */
export const MAX_ANSWER_BYTES = 4096;

/** Slack mrkdwn: chain-sourced text must not form mentions (<!channel>) or disguised links (<url|text>). */
export const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export type Sink = Config["notify"]["sinks"][number];

function secret(name: string | null, sink: Sink, key: string): string {
  const v = name ? process.env[name] : undefined;
  if (!v) throw new Error(`sink ${sink.name}: environment variable ${name} (${key}) is not set`);
  return v;
}

/** The webhook body: the event, its data, and a line of text. */
export const webhookBody = (e: NotifyEvent) =>
  JSON.stringify({
    id: e.eventId,
    type: e.kind,
    event: e.event,
    severity: e.severity,
    name: e.name,
    wallet: e.wallet,
    occurred_at: new Date(e.occurredMs).toISOString(),
    text: e.text,
    data: e.data,
  });

/** HMAC-SHA256 over `<timestamp>.<body>`, hex: what X-Tronmon-Signature carries after "sha256=". */
export const sign = (key: string, timestamp: string, body: string) =>
  createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex");

/** Reads at most `max` bytes of a body, then lets the rest go. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString("utf8");
}

/**
 * Sends one event. The timeout covers the whole exchange (a receiver that answers and then stalls fails like
 * one that never answers); redirects are not followed (they would re-send a signed body elsewhere); at most
 * 4 KiB of the answer is read; no message carries a URL's secret parts. Webhooks are signed at the time of
 * each send (`now`, default the clock), not the round's start.
 */
export async function send(sink: Sink, e: NotifyEvent, opts: { timeoutMs: number; now?: () => number }): Promise<void> {
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
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "idempotency-key": e.eventId,
    "x-tronmon-event-id": e.eventId,
  };
  if (sink.kind === "webhook") {
    url = secret(sink.url_env, sink, "url_env");
    body = webhookBody(e);
    const timestamp = String(Math.floor((opts.now ?? Date.now)() / 1000));
    headers["x-tronmon-timestamp"] = timestamp;
    if (sink.secret_env)
      headers["x-tronmon-signature"] = `sha256=${sign(secret(sink.secret_env, sink, "secret_env"), timestamp, body)}`;
  } else if (sink.kind === "slack") {
    url = secret(sink.url_env, sink, "url_env");
    body = JSON.stringify({ text: slackEscape(e.text) });
  } else {
    url = `${sink.api_base.replace(/\/+$/, "")}/bot${secret(sink.token_env, sink, "token_env")}/sendMessage`;
    body = JSON.stringify({ chat_id: sink.chat_id, text: e.text, disable_web_page_preview: true });
  }
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const failed = (err: unknown): Error => {
    const x = err as Error;
    if (x.name === "TimeoutError" || signal.aborted) return new Error(`timed out after ${opts.timeoutMs} ms`);
    // the URL may hold a secret (Slack, Telegram, user:password@): never in the message
    return new Error(scrubUrls(`network error: ${x.cause instanceof Error ? x.cause.message : x.message}`));
  };
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: "POST", headers, body, signal, redirect: "manual" });
    text = await readCapped(res, MAX_ANSWER_BYTES);
  } catch (err) {
    throw failed(err);
  }
  if (res.status >= 300 && res.status < 400)
    throw new Error(
      `HTTP ${res.status}: a redirect, not followed (a signed body is sent to the configured address only)`,
    );
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${scrubUrls(text.slice(0, 200).replace(/\s+/g, " "))}`);
}
