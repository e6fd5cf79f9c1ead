// JSON text of anything an API sent, total: a value too deep to serialise (a stack overflow) or one that
// cannot be serialised becomes a short description instead of an exception.

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
