// The dashboard's languages: English and Spanish. Every text a page shows goes through t(): its English text is the
// key, es.js has the Spanish. The language comes from ?lang=, else the one chosen before (remembered), else the
// browser's; numbers are formatted per language by Intl (exactly: decimal strings are never turned into floats),
// times stay ISO 8601 UTC in both (what TronScan, the exports and the CLI show), and chart days are "3 Nov"/"3 nov".
import { ES } from "./es.js";

export const LANGS = { en: "English", es: "Español" };
/** English words for the few stored values shown as words (anomaly types stay as the CLI spells them: --type). */
const EN = { true_positive: "true positive", false_positive: "false positive" };
const DICTS = { es: ES, en: EN };
const STORE = "tronmon.lang";

function pick() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && asked in LANGS) {
    try {
      localStorage.setItem(STORE, asked);
    } catch {
      /* private mode: this page only */
    }
    return asked;
  }
  try {
    const saved = localStorage.getItem(STORE);
    if (saved && saved in LANGS) return saved;
  } catch {
    /* no storage */
  }
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (base in LANGS) return base;
  }
  return "en";
}

export const lang = pick();
document.documentElement.lang = lang;

/** Texts asked for in Spanish that es.js does not have: the tests fail on any (and the console says which). */
const missing = new Set();

/** The text `key` (English) in the page's language, with {name} placeholders filled from `vars`. */
export function t(key, vars) {
  const dict = DICTS[lang];
  let s = key;
  if (dict) {
    if (key in dict) s = dict[key];
    else if (lang !== "en" && !missing.has(key)) {
      missing.add(key);
      console.error(`untranslated (${lang}): ${key}`);
    }
  }
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
}

const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 100 });
const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
const days = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone: "UTC" });

/** A decimal string (or integer) grouped per language, every digit kept: "709354240.012202" -> "709,354,240.012202". */
export function fmtNum(v) {
  if (v === null || v === undefined || v === "") return "—";
  const s = String(v);
  // Intl formats a decimal string exactly (no float in between); anything else is shown as it is
  return /^-?\d+(\.\d+)?$/.test(s) ? numbers.format(s) : s;
}
/** A chart tick: short ("40 M"), for drawing only — tables keep the exact values. */
export const fmtTick = (n) => compact.format(n);
/** A chart's day label from a UTC day's start (seconds). */
export const fmtDay = (sec) => days.format(new Date(sec * 1000));
/** An ISO time as "YYYY-MM-DD HH:MM:SS" (UTC). */
export const fmtTime = (iso) => (iso ? String(iso).replace("T", " ").slice(0, 19) : "—");
