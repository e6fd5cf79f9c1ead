// Small helpers the warehouse core shares: rows in chunks of a bounded size, the last row per key, numbers from
// an engine's column value.
const CHUNK = 500;

export const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export const chunks = <T>(list: readonly T[], size = CHUNK): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

export const lastByKey = <T>(list: readonly T[], key: (x: T) => string): T[] => [
  ...new Map(list.map((x) => [key(x), x])).values(),
];
