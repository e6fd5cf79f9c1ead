// The analyst's decisions, pure: dispositions (what a closed alert or finding turned out to be) and suppressions
// (a condition kept from reopening until it worsens past a factor or a snooze ends). Stored by warehouse/triage.ts.

export const DISPOSITIONS = ["true_positive", "false_positive", "benign"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Rule alerts are suppressed per rule, findings per detector (anomaly type). */
export type SuppressionKind = "rule" | "detector";

export type Suppression = {
  suppressionId: string;
  wallet: string;
  kind: SuppressionKind;
  /** The rule's name or the detector's anomaly type. */
  name: string;
  /** Only this counterparty (an allow-list entry); null: any. */
  counterparty: string | null;
  /** The value (rule) or amount (finding) when suppressed; null: only the snooze ends it. */
  baseline: string | null;
  /** Reopens once the value reaches factor × baseline (a decimal, e.g. "2"). */
  factor: string;
  /** Ends at this time (ms); null: until removed. */
  untilMs: number | null;
  reason: string;
  createdBy: string;
  createdAtMs: number;
};

/** A condition as evaluated now: what would open an alert or store a finding. */
export type Condition = {
  wallet: string;
  kind: SuppressionKind;
  name: string;
  counterparty?: string | null;
  value: string | null;
};

const DECIMAL = /^\d+(\.\d+)?$/;

/** A non-negative decimal string as [integer, scale] ("12.50" -> [1250n, 2]). */
function scaled(v: string): [bigint, number] {
  if (!DECIMAL.test(v)) throw new RangeError(`not a non-negative decimal: ${JSON.stringify(v)}`);
  const [i, f = ""] = v.split(".");
  return [BigInt(i + f), f.length];
}

/** value ≥ factor × baseline, exactly (decimal strings; never a float). */
export function reaches(value: string, factor: string, baseline: string): boolean {
  const [v, a] = scaled(value);
  const [f, b] = scaled(factor);
  const [x, c] = scaled(baseline);
  // v/10^a ≥ (f/10^b)(x/10^c)  ⇔  v·10^(b+c) ≥ f·x·10^a
  return v * 10n ** BigInt(b + c) >= f * x * 10n ** BigInt(a);
}

export const isValidFactor = (f: string) => DECIMAL.test(f) && scaled(f)[0] > 0n;

/**
 * The suppression that keeps `c` from opening now, or null: same wallet, kind and name (and counterparty, when the
 * suppression names one), not expired, and the value not worsened to factor × baseline.
 */
export function suppressing(list: readonly Suppression[], c: Condition, nowMs: number): Suppression | null {
  return (
    list.find(
      (s) =>
        s.wallet === c.wallet &&
        s.kind === c.kind &&
        s.name === c.name &&
        (s.counterparty === null || s.counterparty === (c.counterparty ?? null)) &&
        (s.untilMs === null || nowMs < s.untilMs) &&
        !(s.baseline !== null && c.value !== null && DECIMAL.test(c.value) && reaches(c.value, s.factor, s.baseline)),
    ) ?? null
  );
}

/** Precision of a rule or detector from its dispositions: true positives over true and false ones, in % to 0.1. */
export function precisionPct(tp: number, fp: number): string | null {
  if (tp + fp === 0) return null;
  const tenths = Math.round((tp * 1000) / (tp + fp)); // integers: exact to the tenth
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}
