// Severities, least to most severe: findings carry one, alerts get one (model/alerts.ts alertSeverity), sinks
// filter by one. One order for every comparison and sort.
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 1 (info) to 3 (critical); 0 for anything else. */
export const severityRank = (s: string): number => SEVERITIES.indexOf(s as Severity) + 1;

/** The severities from `min` up ("warning" -> warning, critical). */
export const severitiesFrom = (min: Severity): Severity[] => SEVERITIES.slice(SEVERITIES.indexOf(min));
