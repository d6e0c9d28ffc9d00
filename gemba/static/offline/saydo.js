// Say-vs-do on the phone: a port of gemba/domain/saydo.py and units.py, so the
// "contradicts …" hint works offline with the server's rules. The server stays the
// judge: its verdict replaces this one after a sync. tests/offline/test_saydo_js.py
// runs this file with node against the Python for a table of cases. Its explanations are
// in the observer's language (i18n.js); with no catalog (node) they are the server's English.

import { ngettext, t } from "./i18n.js";

export const BANDS = {
  always: [1, 1], usually: [0.7, 1], sometimes: [0.2, 0.8], rarely: [0, 0.2], never: [0, 0],
};
export const DEFAULT_TOLERANCE = 0.2;
const Z_95 = 1.959963984540054;
const TINY = 1e-12;
const NOTE_LIMIT = 80;
const T_975 = [
  12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836,
  2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
  2.20098516, 2.17881283, 2.160368656, 2.144786688, 2.131449546,
  2.119905299, 2.109815578, 2.10092204, 2.093024054, 2.085963447,
  2.079613845, 2.073873068, 2.06865761, 2.063898562, 2.059538553,
  2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
];
const COMPARATORS = { "<=": "<=", "≤": "<=", ">=": ">=", "≥": ">=" };

// -- units -------------------------------------------------------------------------------
const UNITS = {
  s: ["time", 1], min: ["time", 60], h: ["time", 3600],
  mm: ["length", 1], cm: ["length", 10], m: ["length", 1000],
  g: ["mass", 1], kg: ["mass", 1000], count: ["count", 1],
};
const SPELLINGS = {
  s: ["s", "sec", "secs", "second", "seconds"],
  min: ["min", "mins", "minute", "minutes"],
  h: ["h", "hr", "hrs", "hour", "hours"],
  mm: ["mm", "millimetre", "millimetres", "millimeter", "millimeters"],
  cm: ["cm", "centimetre", "centimetres", "centimeter", "centimeters"],
  m: ["m", "metre", "metres", "meter", "meters"],
  g: ["g", "gram", "grams", "gramme", "grammes"],
  kg: ["kg", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilo", "kilos"],
  count: ["count", "counts", "pcs", "pc", "piece", "pieces", "item", "items", "each", "x", ""],
};
const ALIASES = {};
for (const [canonical, spellings] of Object.entries(SPELLINGS)) {
  for (const spelling of spellings) ALIASES[spelling] = canonical;
}

const collapse = (text) => text.split(/\s+/).filter(Boolean).join(" ");

export function canonicalUnit(unit) {
  if (unit === null || unit === undefined) return "count";
  const key = collapse(unit).toLowerCase();
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : key;
}

function dimension(unit) {
  const canonical = canonicalUnit(unit) || "count";
  return Object.hasOwn(UNITS, canonical) ? UNITS[canonical][0] : `unit:${canonical}`;
}

class IncompatibleUnits extends Error {}

export function convert(value, fromUnit, toUnit) {
  const source = canonicalUnit(fromUnit);
  const target = canonicalUnit(toUnit);
  if (source === target) return value;
  if (!Object.hasOwn(UNITS, source) || !Object.hasOwn(UNITS, target) || dimension(source) !== dimension(target)) {
    throw new IncompatibleUnits(`cannot convert ${source} to ${target}`);
  }
  return (value * UNITS[source][1]) / UNITS[target][1];
}

// Python's f"{x:.Nf}" rounds an exact binary tie (0.125) to even; toFixed rounds it up.
// A long toFixed is the exact decimal expansion, which tells a true tie from a near one.
function toFixedLikePython(value, digits) {
  const [whole, fraction] = Math.abs(value).toFixed(Math.min(100, digits + 60)).split(".");
  const tail = fraction.slice(digits);
  const last = Number((whole + fraction.slice(0, digits)).slice(-1));
  if (/^50*$/.test(tail) && last % 2 === 0) {
    const kept = digits ? `${whole}.${fraction.slice(0, digits)}` : whole;
    return value < 0 ? `-${kept}` : kept;
  }
  return value.toFixed(digits);
}

export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const integerDigits = Math.floor(Math.log10(Math.abs(value))) + 1;
  let text = toFixedLikePython(value, Math.max(0, 3 - integerDigits));
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text === "-0" ? "0" : text;
}

export function formatQuantity(value, unit) {
  const number = formatNumber(value);
  return canonicalUnit(unit) === "count" ? number : `${number} ${canonicalUnit(unit)}`;
}

// -- statistics --------------------------------------------------------------------------
export function wilsonInterval(k, n, z = Z_95) {
  const z2 = z * z;
  const rate = k / n;
  const denominator = 1 + z2 / n;
  const centre = (rate + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n))) / denominator;
  const low = k === 0 ? 0 : Math.max(Math.min(centre - half, rate), Number.MIN_VALUE);
  const high = k === n ? 1 : Math.min(Math.max(centre + half, rate), 1 - 2 ** -53);
  return [low, high];
}

export function tQuantile975(df) {
  if (df <= T_975.length) return T_975[df - 1];
  const z = Z_95;
  return (
    z
    + (z ** 3 + z) / (4 * df)
    + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
    + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3)
    + (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / (92160 * df ** 4)
  );
}

// Exactly rounded sum (Shewchuk), as Python's math.fsum behind statistics.fmean.
function fsum(values) {
  const partials = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let hi = 0;
  let n = partials.length;
  if (n > 0) {
    hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}

const mean = (xs) => fsum(xs) / xs.length;
function stdev(xs) {
  const m = mean(xs);
  return Math.sqrt(fsum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1));
}

// -- verdicts ----------------------------------------------------------------------------
const percent = (fraction) => Math.floor(fraction * 100 + 0.5);
// The words of a frequency claim as the observer's language says them ("always" in English).
const SAID_WORD = { always: t("always"), usually: t("usually"), sometimes: t("sometimes"), rarely: t("rarely"), never: t("never") };
const said = (claim) => t("Said %(claim)s", { claim });
const ids = (list) => [...new Set(list)].sort();

/**
 * Judge a claim against observations: claim is {frequency} or {value, unit, tolerance,
 * comparator}; observations are {fact_id, performed, value, unit}; manual links are
 * {fact_id, note}. Returns null (nothing to say) or a verdict like the server's.
 */
export function judge(claim, observations, manual = []) {
  let verdict = null;
  if (claim && claim.frequency) verdict = judgeFrequency(claim.frequency, observations);
  else if (claim && claim.value !== undefined && claim.value !== null) verdict = judgeMeasure(claim, observations);
  return applyManual(verdict, manual);
}

function judgeFrequency(rawWord, observations) {
  const word = rawWord.trim().toLowerCase();
  if (!Object.hasOwn(BANDS, word)) throw new Error(`unknown frequency word ${rawWord}`);
  const [bandLow, bandHigh] = BANDS[word];
  const counted = observations.filter((o) => o.performed !== null && o.performed !== undefined);
  if (!counted.length) return null;
  const performed = counted.filter((o) => o.performed).map((o) => o.fact_id);
  const missed = counted.filter((o) => !o.performed).map((o) => o.fact_id);
  const k = performed.length;
  const n = counted.length;
  const rate = k / n;
  const [low, high] = wilsonInterval(k, n);
  let evidence = [];
  if (high < bandLow) evidence = missed;
  else if (low > bandHigh) evidence = performed;
  return {
    contradicted: evidence.length > 0,
    kind: "frequency",
    severity: Math.max(bandLow - rate, rate - bandHigh, 0),
    confidence: 1 - (high - low),
    explanation: t("%(said)s; observed %(k)s of %(n)s (%(rate)s%%, 95%% CI %(low)s–%(high)s%%)", {
      said: said(`"${SAID_WORD[word] || word}"`), k, n, rate: percent(rate), low: percent(low), high: percent(high) }),
    evidence: ids(evidence),
    observed: n,
  };
}

function judgeMeasure(claim, observations) {
  const unit = canonicalUnit(claim.unit) || "count";
  const values = [];
  const excluded = {};
  for (const o of observations) {
    if (o.value === null || o.value === undefined || !Number.isFinite(o.value)) continue;
    try {
      values.push([o.fact_id, convert(o.value, o.unit, unit)]);
    } catch (error) {
      if (!(error instanceof IncompatibleUnits)) throw error;
      const other = canonicalUnit(o.unit) || "count";
      excluded[other] = (excluded[other] || 0) + 1;
    }
  }
  if (!values.length) return null;
  const note = excludedNote(excluded);
  const comparator = claim.comparator ? COMPARATORS[claim.comparator] : null;
  return comparator ? judgeBound(claim, comparator, unit, values, note) : judgeTypical(claim, unit, values, note);
}

function judgeBound(claim, comparator, unit, values, note) {
  const tolerance = claim.tolerance || 0;
  const slack = Math.abs(claim.value) * tolerance;
  let limit; let symbol; let beyondText; let worst; let beyond; let excess;
  if (comparator === "<=") {
    [limit, symbol] = [claim.value + slack, "≤"];
    beyondText = (p) => t("%(said)s; %(beyond)s of %(n)s observations above (max %(worst)s)%(note)s", p);
    worst = Math.max(...values.map(([, v]) => v));
    beyond = values.filter(([, v]) => v > limit).map(([id]) => id);
    excess = worst - limit;
  } else {
    [limit, symbol] = [claim.value - slack, "≥"];
    beyondText = (p) => t("%(said)s; %(beyond)s of %(n)s observations below (min %(worst)s)%(note)s", p);
    worst = Math.min(...values.map(([, v]) => v));
    beyond = values.filter(([, v]) => v < limit).map(([id]) => id);
    excess = limit - worst;
  }
  const n = values.length;
  const [low, high] = wilsonInterval(beyond.length, n);
  const bound = `${symbol} ${formatNumber(claim.value)} ${unit}`;
  const saidBound = said(tolerance ? t("%(bound)s (tolerance %(percent)s%%)", { bound, percent: formatNumber(tolerance * 100) }) : bound);
  return {
    contradicted: beyond.length > 0,
    kind: "measure",
    severity: Math.min(1, Math.max(0, excess / (Math.abs(limit) || 1))),
    confidence: 1 - (high - low),
    explanation: beyondText({ said: saidBound, beyond: beyond.length, n, worst: formatQuantity(worst, unit), note }),
    evidence: ids(beyond),
    observed: n,
  };
}

function judgeTypical(claim, unit, values, note) {
  const tolerance = claim.tolerance === null || claim.tolerance === undefined ? DEFAULT_TOLERANCE : claim.tolerance;
  const halfWidth = Math.abs(claim.value) * tolerance;
  const [bandLow, bandHigh] = [claim.value - halfWidth, claim.value + halfWidth];
  const samples = values.map(([, v]) => v);
  const n = samples.length;
  const m = mean(samples);
  const distance = Math.max(bandLow - m, m - bandHigh, 0);
  const severity = Math.min(1, distance / (Math.abs(claim.value) || halfWidth || 1));
  const saidTypical = said(`${formatNumber(claim.value)} ${unit} ±${formatNumber(tolerance * 100)}%`);
  if (n === 1) {
    return {
      contradicted: false, kind: "measure", severity, confidence: 0,
      explanation: t("%(said)s; observed %(value)s once (one observation is not enough)%(note)s", { said: saidTypical, value: formatQuantity(m, unit), note }),
      evidence: [], observed: n,
    };
  }
  const margin = (tQuantile975(n - 1) * stdev(samples)) / Math.sqrt(n);
  const [low, high] = [m - margin, m + margin];
  let evidence = [];
  if (high < bandLow) evidence = values.filter(([, v]) => v < bandLow).map(([id]) => id);
  else if (low > bandHigh) evidence = values.filter(([, v]) => v > bandHigh).map(([id]) => id);
  return {
    contradicted: evidence.length > 0,
    kind: "measure",
    severity,
    confidence: 1 - Math.min(1, (high - low) / Math.max(Math.abs(m), TINY)),
    explanation: t("%(said)s; observed mean %(mean)s over %(n)s (95%% CI %(low)s–%(high)s)%(note)s", {
      said: saidTypical, mean: formatQuantity(m, unit), n, low: formatNumber(low), high: formatQuantity(high, unit), note }),
    evidence: ids(evidence),
    observed: n,
  };
}

function applyManual(verdict, links) {
  if (!links.length) return verdict;
  const manualIds = ids(links.map((l) => l.fact_id));
  const marked = ngettext("%(num)s fact", "%(num)s facts", manualIds.length);
  if (verdict && verdict.contradicted) {
    return { ...verdict, explanation: t("%(explanation)s; %(marked)s marked by an observer", { explanation: verdict.explanation, marked }), evidence: ids([...verdict.evidence, ...manualIds]) };
  }
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...links].sort((a, b) => cmp(a.fact_id, b.fact_id) || cmp(a.note || "", b.note || ""));
  const noted = sorted.find((l) => l.note && l.note.trim());
  let explanation = t("Marked as contradicting by an observer (%(marked)s)", { marked });
  if (noted) {
    let text = collapse(noted.note);
    if (text.length > NOTE_LIMIT) text = `${text.slice(0, NOTE_LIMIT - 1).trimEnd()}…`;
    explanation = t("Marked as contradicting by an observer: \"%(note)s\"", { note: text });
  }
  return {
    contradicted: true, kind: "manual", severity: 0.5, confidence: 1, explanation,
    evidence: manualIds, observed: verdict ? verdict.observed : 0,
  };
}

function excludedNote(excluded) {
  const entries = Object.entries(excluded).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return "";
  const [[firstUnit, firstCount], ...rest] = entries;
  const parts = [ngettext("%(num)s observation in %(unit)s", "%(num)s observations in %(unit)s", firstCount, { unit: firstUnit }),
    ...rest.map(([u, c]) => t("%(count)s in %(unit)s", { count: c, unit: u }))];
  return "; " + t("%(parts)s not comparable", { parts: parts.join(", ") });
}

/** The matching key of a topic: case- and whitespace-insensitive, as the server's. */
export function topicKey(name) {
  // toUpperCase first folds "ß" to "SS" like Python's casefold.
  return collapse(name || "").toUpperCase().toLowerCase();
}
