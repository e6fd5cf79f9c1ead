// Shared constants of the SQL builders.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Amounts past 30 digits (scam airdrops) are left out of sums so that no sum can overflow DECIMAL(38,0). */
export const SUMMABLE = "length(amount_raw) <= 30";

/** SQL: the start (ms) of the UTC day holding a millisecond column or expression. */
export const utcDaySql = (ms: string): string => `CAST(floor(${ms} / ${DAY_MS}) AS BIGINT) * ${DAY_MS}`;

/** A stored millisecond time as ISO 8601 (null stays null): what the JSON API sends. */
export const isoOrNull = (ms: unknown): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

/** Start (ms) of the UTC day holding `ms`. */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
