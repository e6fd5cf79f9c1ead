// Lossless JSON: integer literals too long for a double are kept as strings so no amount is ever rounded.

const LONG_INT = /[:\[,]\s*-?\d{16,}(?![\d.eE])/;
const STRING_OR_LONG_INT = /"(?:[^"\\]|\\.)*"|(?<![\d.])(-?\d{16,})(?![\d.eE])/g;

export function parseJsonLossless(text: string): unknown {
  if (!LONG_INT.test(text)) return JSON.parse(text);
  return JSON.parse(text.replace(STRING_OR_LONG_INT, (m, num: string | undefined) => (num ? `"${num}"` : m)));
}
