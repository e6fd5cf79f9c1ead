/** The dashboard's Spanish texts, keyed by their English (es.js). */
export declare const ES: Record<string, string>;
