// JSON in and out of what the APIs send. In: lossless (integer literals too long for a double are kept as
// strings, so no amount is ever rounded). Out: total (a value too deep or impossible to serialise becomes a
// short description instead of an exception).

const LONG_INT = /[:\[,]\s*-?\d{16,}(?![\d.eE])/;
const STRING_OR_LONG_INT = /"(?:[^"\\]|\\.)*"|(?<![\d.])(-?\d{16,})(?![\d.eE])/g;

export function parseJsonLossless(text: string): unknown {
  if (!LONG_INT.test(text)) return JSON.parse(text);
  return JSON.parse(text.replace(STRING_OR_LONG_INT, (m, num: string | undefined) => (num ? `"${num}"` : m)));
}

export function safeJson(value: unknown, maxLength = 1_000_000): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  } catch (e) {
    return JSON.stringify({ unserialisable: (e as Error).message.slice(0, 200) });
  }
  if (text === undefined) return "null";
  return text.length > maxLength ? JSON.stringify({ truncated: text.slice(0, 2000), length: text.length }) : text;
}

/** A json column's value as an object: a driver gives it parsed or as text; {} when it is neither. */
export function jsonObject(v: unknown): Record<string, unknown> {
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v !== "string") return {};
  try {
    const o = JSON.parse(v);
    return o && typeof o === "object" && !Array.isArray(o) ? o : {};
  } catch {
    return {};
  }
}

/** Whether a parsed JSON value is an object (not null, not an array). */
export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
