// Lists every text the dashboard asks to translate: t("…") calls, column labels, card and KPI titles, menu entries,
// plus the values shown through t() (statuses, severities, types). `node scripts/i18n-keys.mjs --missing` prints
// the ones src/dashboard/public/es.js lacks.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = "src/dashboard/public";
const files = [
  ...readdirSync(dir).filter((f) => f.endsWith(".js") && f !== "es.js").map((f) => join(dir, f)),
  ...readdirSync(join(dir, "pages")).map((f) => join(dir, "pages", f)),
];
const keys = new Set();
const str = '"((?:[^"\\\\]|\\\\.)*)"';
for (const f of files) {
  const s = readFileSync(f, "utf8");
  for (const re of [`\\bt\\(\\s*${str}`, `\\blabel: ${str}`, `\\b(?:card|kpi)\\(\\s*${str}`, `\\["\\w+", "/\\w*", ${str}\\]`])
    for (const m of s.matchAll(new RegExp(re, "g"))) keys.add(JSON.parse(`"${m[1]}"`));
}
/** Values a page shows through t(value). */
export const VALUES = [
  ...["open", "acknowledged", "resolved", "active", "success", "failed", "partial", "interrupted", "running", "dropped"],
  ...["info", "warning", "critical", "alert", "finding", "transfer", "transaction", "trc20", "internal"],
  ...["in", "out", "self", "true_positive", "false_positive", "benign", "exchange", "treasury", "personal"],
  ...["large_transaction", "burst_activity", "new_counterparty", "address_poisoning", "fake_token", "spam_token"],
  ...["listed_counterparty", "listed_wallet", "permission_change", "large_approval", "sanctions", "custom", "tether"],
  ...["block", "contract", "fee (TRX)"],
  ...["failed cycles in a row", "minutes behind", "seconds throttled in the last hour", "stream-days with rows missing after repair"],
];
for (const v of VALUES) keys.add(v);
keys.delete("");
export const KEYS = [...keys].sort();
if (process.argv[1]?.endsWith("i18n-keys.mjs")) {
  const { ES } = await import(`../${dir}/es.js`);
  const list = process.argv.includes("--missing") ? KEYS.filter((k) => !(k in ES)) : KEYS;
  for (const k of list) console.log(JSON.stringify(k));
}
