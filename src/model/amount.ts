// Exact amounts: raw base units as bigint / integer strings, decimals applied by string arithmetic.

/** Parse an amount the API sent (number or string) into a non-negative bigint, or null if malformed. */
export function parseRawAmount(value: unknown): bigint | null {
  if (typeof value === "bigint") return value >= 0n ? value : null;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return null;
    return BigInt(value);
  }
  if (typeof value === "string") {
    const s = value.trim();
    // at most 78 digits: a uint256 (the widest amount a token can hold)
    if (s.length > 78 || !/^\d+$/.test(s)) return null;
    return BigInt(s);
  }
  return null;
}

/** Exact decimal string of raw / 10^decimals, without trailing zeros ("1.5", "0.000001", "12"). */
export function formatUnits(raw: bigint, decimals: number): string {
  if (decimals < 0 || !Number.isInteger(decimals)) throw new RangeError(`invalid decimals ${decimals}`);
  const negative = raw < 0n;
  const digits = (negative ? -raw : raw).toString();
  if (decimals === 0) return (negative ? "-" : "") + digits;
  const padded = digits.padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals);
  const frac = padded.slice(padded.length - decimals).replace(/0+$/, "");
  return (negative ? "-" : "") + whole + (frac ? "." + frac : "");
}

/** A decimal string with its whole part grouped in thousands ("-1234567.891" -> "-1,234,567.891"), exactly. */
export function groupThousands(decimal: string): string {
  return decimal.replace(
    /^(-?)(\d+)/,
    (_, sign: string, whole: string) => sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ","),
  );
}

/** Exact raw units of a decimal string ("500000" with 6 decimals -> 500000000000n). Rejects excess precision. */
export function parseUnits(value: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new RangeError(`not a non-negative decimal number: ${JSON.stringify(value)}`);
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > decimals) throw new RangeError(`${value} has more than ${decimals} decimals`);
  return BigInt(m[1] + frac.padEnd(decimals, "0"));
}
