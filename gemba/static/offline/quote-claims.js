// Claims read from a quote on the phone: a port of gemba/domain/quote_claims.py and
// quote_numbers.py, so the capture form proposes a claim and a topic offline with the
// server's rules. The rules are data (gemba/domain/claim_rules.json, one block per
// language), fetched with loadRules() and passed in; nothing here is language-specific.
// suggest() takes the page's language (es, de, pl, en; "es-MX" reads as "es", a language
// without rules as "en"). tests/offline/test_quote_claims_js.py runs this file with node
// over tests/resources/quotes*.json and asserts it gives exactly what the Python gives.

// A behaviour one "skips" or "forgets" is the opposite of the one performed.
const INVERSE = {
  always: "never", usually: "rarely", sometimes: "sometimes", rarely: "usually", never: "always",
};
const FLIP = { "<=": ">=", ">=": "<=" };
const RATE = "rate";
const TOKEN = new RegExp(
  "[0-9]+(?::[0-9]+)+|[0-9]+(?:[.,][0-9]+)*\\p{L}*|\\p{L}[\\p{L}\\p{N}]*(?:['\\-][\\p{L}\\p{N}]+)*"
  + "|[%°?!,;.\\-]",
  "gu",
);
const GLUED = /^([0-9]+(?:[.,][0-9]+)*)(\p{L}+)$/u;
const NUMBER = /^[0-9]+(?:[.,][0-9]+)*$/;
const LEADING = /^[0-9]{1,3}$|^[0-9]{1,3}(?:[0-9]{3})+$/;
const THOUSANDS = /^[0-9]{3}(?:,[0-9]+)?$/;
// A negation apart from the frequency word (quote_frequency.py): "?" proposes no claim.
const UNCLEAR = "?";
const CONCORD = new Set(["never", "rarely"]);
const compiledCache = new WeakMap();

/** Fetch claim_rules.json (all languages) for suggest(). */
export async function loadRules(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`claim rules: HTTP ${response.status}`);
  return response.json();
}

// -- words and phrases -------------------------------------------------------------------
export function splitWords(text) {
  const lower = text.normalize("NFC").toLowerCase().replaceAll("\u2019", "'");
  return lower.match(TOKEN) || [];
}

const key = (tokens) => tokens.join("\u0000");

function longestFirst(pairs) {
  return [...pairs.values()].sort((a, b) => {
    if (a[0].length !== b[0].length) return b[0].length - a[0].length;
    return compareTuples(a[0], b[0]);
  });
}

function compareTuples(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

function byWord(groups) {
  const pairs = new Map();
  for (const [word, items] of Object.entries(groups)) {
    for (const item of items) {
      const phrase = splitWords(item);
      if (phrase.length) pairs.set(key(phrase), [phrase, word]);
    }
  }
  return longestFirst(pairs);
}

function valued(table) {
  const pairs = new Map();
  for (const [text, value] of Object.entries(table)) {
    const phrase = splitWords(text);
    pairs.set(key(phrase), [phrase, value]);
  }
  return longestFirst(pairs);
}

const phrases = (items) => byWord({ "": items });

/** One language's JSON block as token arrays and sets (as compile_rules in Python). */
export function compileRules(raw) {
  const { hedges, numbers, rate } = raw;
  const contractions = {};
  for (const [k, v] of Object.entries(raw.contractions)) contractions[k] = splitWords(v);
  return {
    raw,
    contractions,
    fixed: new Set(raw.fixed_words),
    ignore: phrases(raw.ignore_phrases),
    frequency: byWord(raw.frequency),
    negated: byWord(raw.negated_frequency),
    negatedMap: new Map(byWord(raw.negated_frequency).map(([phrase, word]) => [key(phrase), word])),
    splitNegations: new Set(raw.split_negations || []),
    weak: byWord(raw.weak_frequency),
    every: new Set(raw.every_words),
    negativeVerbs: phrases(raw.negative_verbs),
    negations: new Set(raw.negations),
    times: new Set(hedges.times),
    outOf: phrases(hedges.out_of),
    in: phrases(hedges.in),
    ofTheTime: phrases(hedges.of_the_time),
    percent: phrases(hedges.percent),
    fractions: valued(hedges.fractions),
    fractionOf: new Set(hedges.fraction_of || ["of"]),
    ones: numbers.ones,
    tens: numbers.tens,
    scales: numbers.scales,
    joiners: new Set(numbers.joiners),
    tensJoiners: new Set(numbers.tens_joiners || []),
    scalesAlone: Boolean(numbers.scales_alone),
    numberPhrases: valued(numbers.phrases),
    one: new Set(numbers.one),
    plusHalf: phrases(numbers.plus_half),
    quantityPhrases: valued(raw.quantity_phrases),
    articleUnits: new Set(raw.article_units),
    units: byWord(raw.units),
    labels: new Set(raw.labels),
    before: byWord(raw.comparators_before),
    after: byWord(raw.comparators_after),
    approximate: byWord({ "~": raw.approximate }),
    rangeStart: new Set(raw.range.start),
    rangeJoiners: new Set(raw.range.joiners),
    per: new Set(rate.per),
    rateArticles: new Set(rate.articles),
    periods: new Set(rate.periods),
    rateTimes: new Set(rate.times),
    group: raw.number_format.group,
    stop: new Set(raw.stop_words),
    light: new Set(raw.light_verbs),
    subjects: new Set(raw.subjects),
    roles: new Set(raw.roles),
    breaks: new Set(raw.clause_breaks),
  };
}

/** The language whose rules read a quote: "es-MX" reads as "es", one without rules as "en". */
export function rulesLanguage(rules, language) {
  const base = String(language || "").toLowerCase().replaceAll("_", "-").split("-")[0];
  return Object.hasOwn(rules, base) ? base : "en";
}

function compiled(rules, language) {
  let byLanguage = compiledCache.get(rules);
  if (!byLanguage) {
    byLanguage = new Map();
    compiledCache.set(rules, byLanguage);
  }
  const chosen = rulesLanguage(rules, language);
  if (!byLanguage.has(chosen)) byLanguage.set(chosen, compileRules(rules[chosen]));
  return byLanguage.get(chosen);
}

function tokensOf(text, r) {
  const out = [];
  const spaced = r.group === " ";
  for (const token of splitWords(text)) {
    const glued = GLUED.exec(token);
    if (spaced && THOUSANDS.test(token) && out.length && LEADING.test(out[out.length - 1])) {
      out[out.length - 1] += token;
    } else if (Object.hasOwn(r.contractions, token)) out.push(...r.contractions[token]);
    else if (glued && !r.fixed.has(token)) out.push(glued[1], glued[2]);
    else out.push(token);
  }
  return out;
}

function matchAt(tokens, i, table) {
  for (const [phrase, value] of table) {
    if (phrase.every((word, k) => tokens[i + k] === word)) return [phrase.length, value];
  }
  return [0, null];
}

function matchBefore(tokens, end, table) {
  for (const [phrase, value] of table) {
    const start = end - phrase.length;
    if (start >= 0 && phrase.every((word, k) => tokens[start + k] === word)) {
      return [phrase.length, value];
    }
  }
  return [0, null];
}

// -- numbers -----------------------------------------------------------------------------
function roundTo(value, places) {
  const scale = 10 ** places;
  return Math.floor(value * scale + 0.5) / scale;
}

const tidy = (value) => roundTo(value, 6);

function digitsValue(token, r) {
  const parts = token.split(/([.,])/);
  let text = parts[0];
  let decimalSeen = false;
  for (let k = 1; k < parts.length; k += 2) {
    const [sep, part] = [parts[k], parts[k + 1]];
    if (sep === r.group && part.length === 3 && !decimalSeen) text += part;
    else if (decimalSeen) break;
    else {
      text = `${text}.${part}`;
      decimalSeen = true;
    }
  }
  return parseFloat(text);
}

function small(tokens, i, r) {
  const token = i < tokens.length ? tokens[i] : "";
  const { ones, tens } = r;
  if (Object.hasOwn(ones, token)) return [ones[token], i + 1];
  const dash = token.indexOf("-");
  const head = dash < 0 ? token : token.slice(0, dash);
  const tail = dash < 0 ? "" : token.slice(dash + 1);
  if (Object.hasOwn(tens, head) && Object.hasOwn(ones, tail) && ones[tail] < 10) {
    return [tens[head] + ones[tail], i + 1];
  }
  if (Object.hasOwn(tens, token)) {
    let j = i + 1;
    if (j + 1 < tokens.length && r.tensJoiners.has(tokens[j])) j += 1;
    const after = j < tokens.length ? tokens[j] : "";
    if (Object.hasOwn(ones, after) && ones[after] > 0 && ones[after] < 10) {
      return [tens[token] + ones[after], j + 1];
    }
    return [tens[token], i + 1];
  }
  return null;
}

function numberAt(tokens, i, r) {
  if (i >= tokens.length) return null;
  const [size, value] = matchAt(tokens, i, r.numberPhrases);
  const { scales } = r;
  let found;
  if (size) found = [value, i + size];
  else if (NUMBER.test(tokens[i])) found = [digitsValue(tokens[i], r), i + 1];
  else if (r.one.has(tokens[i]) && i + 1 < tokens.length && Object.hasOwn(scales, tokens[i + 1])) {
    found = [scales[tokens[i + 1]], i + 2];
  } else if (Object.hasOwn(scales, tokens[i]) && r.scalesAlone) found = [1, i];
  else found = small(tokens, i, r);
  if (found === null) return null;
  let [number, j] = found;
  if (j < tokens.length && Object.hasOwn(scales, tokens[j])) {
    number *= scales[tokens[j]];
    j += 1;
    const joined = j < tokens.length && r.joiners.has(tokens[j]);
    if (joined || r.scalesAlone) {
      const more = small(tokens, joined ? j + 1 : j, r);
      if (more) [number, j] = [number + more[0], more[1]];
    }
  }
  const [half] = matchAt(tokens, j, r.plusHalf);
  return half ? [number + 0.5, j + half] : [number, j];
}

function unitAt(tokens, j, r) {
  let at = j;
  if (at < tokens.length && tokens[at] === "-") at += 1;
  const [size, unit] = matchAt(tokens, at, r.units);
  return size ? [unit, at + size] : null;
}

/** 0 never, 1 always, >=0.7 usually, <=0.2 rarely, else sometimes (as band_of). */
export function bandOf(rate) {
  if (rate < 0 || rate > 1) return null;
  if (rate === 0) return "never";
  if (rate === 1) return "always";
  if (rate >= 0.7) return "usually";
  return rate <= 0.2 ? "rarely" : "sometimes";
}

function share(tokens, i, r) {
  const [size, fraction] = matchAt(tokens, i, r.fractions);
  if (size) {
    const of = i + size < tokens.length && r.fractionOf.has(tokens[i + size]) ? 1 : 0;
    const [tail] = matchAt(tokens, i + size + of, r.ofTheTime);
    return tail ? [fraction, i + size + of + tail] : null;
  }
  const first = numberAt(tokens, i, r) || oneOf(tokens, i, r);
  if (first === null) return null;
  const part = first[0];
  let j = first[1];
  const [pct] = matchAt(tokens, j, r.percent);
  if (pct) {
    const [tail] = matchAt(tokens, j + pct, r.ofTheTime);
    return tail ? [part / 100, j + pct + tail] : null;
  }
  if (j < tokens.length && r.times.has(tokens[j])) j += 1;
  const link = matchAt(tokens, j, r.outOf)[0] || matchAt(tokens, j, r.in)[0];
  const whole = link ? numberAt(tokens, j + link, r) : null;
  if (whole === null || whole[0] === 0) return null;
  let k = whole[1];
  if (k < tokens.length && r.times.has(tokens[k])) k += 1;
  return [part / whole[0], k];
}

// An article that counts one before "out of": "una de cada diez", "einer von zehn".
function oneOf(tokens, i, r) {
  if (!r.one.has(tokens[i])) return null;
  const link = matchAt(tokens, i + 1, r.outOf)[0] || matchAt(tokens, i + 1, r.in)[0];
  return link ? [1, i + 1] : null;
}

function readHedge(tokens, used, r) {
  for (let i = 0; i < tokens.length; i += 1) {
    if (used[i] || (i && r.labels.has(tokens[i - 1]))) continue;
    const found = share(tokens, i, r);
    const word = found ? bandOf(found[0]) : null;
    if (found && word) {
      for (let k = i; k < found[1]; k += 1) used[k] = `freq:${word}`;
      return word;
    }
  }
  return null;
}

// -- claims ------------------------------------------------------------------------------
/** Propose {claim, topic} for a quote, as gemba.domain.quote_claims.suggest does. */
export function suggest(text, rules, language = "en") {
  const stripped = text.trim();
  if (!stripped || stripped.endsWith("?") || stripped.startsWith("\u00bf")) {
    return { claim: null, topic: null };
  }
  const r = compiled(rules, language);
  const tokens = tokensOf(stripped, r);
  const used = tokens.map(() => "");
  markAll(tokens, used, r.ignore, "ignore");
  const hedge = readHedge(tokens, used, r);
  let [word, plain, turned] = readFrequency(tokens, used, r);
  const measure = readQuantities(tokens, used, r);
  if (hedge) [word, plain, turned] = [hedge, true, false];
  const weak = readWeak(tokens, used, r);
  const inverted = markAll(tokens, used, r.negativeVerbs, "negverb") !== turned;
  return { claim: decide(measure, word, plain, weak, inverted), topic: topicOf(tokens, used, r) };
}

function markAll(tokens, used, table, mark) {
  let found = false;
  let i = 0;
  while (i < tokens.length) {
    const size = used[i] ? 0 : matchAt(tokens, i, table)[0];
    if (size && !used.slice(i, i + size).some(Boolean)) {
      for (let k = i; k < i + size; k += 1) used[k] = mark;
      found = true;
      i += size;
    } else i += 1;
  }
  return found;
}

function decide(measure, word, plain, weak, inverted) {
  if (measure === RATE || word === UNCLEAR) return null;
  if (measure) {
    if (word === null || ((word === "always" || word === "usually") && plain)) return measure;
    if (word === "never" && "comparator" in measure) return measure;
    return null;
  }
  const chosen = word || weak;
  if (!chosen) return null;
  return { frequency: inverted ? INVERSE[chosen] : chosen };
}

function readFrequency(tokens, used, r) {
  let first = [null, true, false];
  let i = 0;
  while (i < tokens.length) {
    const found = used[i] ? null : frequencyAt(tokens, used, i, r);
    if (found === null) {
      i += 1;
      continue;
    }
    const [word, plain, size] = found;
    for (let k = i; k < i + size; k += 1) used[k] = `freq:${word}`;
    if (first[0] === null) {
      const after = plain && !CONCORD.has(word) && negationAfter(tokens, used, i + size, r);
      first = [word, plain, after];
    }
    i += size;
  }
  return first;
}

function frequencyAt(tokens, used, i, r) {
  const [negSize, negWord] = matchAt(tokens, i, r.negated);
  const [size, word] = matchAt(tokens, i, r.frequency);
  if (negSize && negSize >= size) return [negWord, false, negSize];
  if (!size) return null;
  const k = negationBefore(tokens, used, i, r);
  if (k === null || CONCORD.has(word)) return [word, true, size];
  used[k] = "neg";
  const negated = r.negatedMap.get(key([tokens[k], ...tokens.slice(i, i + size)]));
  return negated ? [negated, false, size] : [UNCLEAR, false, size];
}

function negationBefore(tokens, used, i, r) {
  for (let k = i - 1; k >= 0; k -= 1) {
    if (r.breaks.has(tokens[k])) return null;
    if (r.splitNegations.has(tokens[k]) && !used[k]) return k;
  }
  return null;
}

function negationAfter(tokens, used, j, r) {
  for (let k = j; k < tokens.length; k += 1) {
    if (r.breaks.has(tokens[k])) return false;
    if (r.splitNegations.has(tokens[k]) && !used[k]) return true;
  }
  return false;
}

function readWeak(tokens, used, r) {
  let found = null;
  tokens.forEach((token, i) => {
    if (used[i]) return;
    const [size, word] = matchAt(tokens, i, r.weak);
    if (size) {
      for (let k = i; k < i + size; k += 1) used[k] = `weak:${word}`;
      found = found || word;
    } else if (r.every.has(token) && i + 1 < tokens.length) {
      const following = tokens[i + 1];
      if (!used[i + 1] && /^\p{L}+$/u.test(following) && !unitForOne(tokens, i + 1, r)) {
        used[i] = "weak:always";
        found = found || "always";
      }
    }
  });
  return found;
}

function readQuantities(tokens, used, r) {
  const timesRate = (token, i) => !used[i] && r.rateTimes.has(token) && isRate(tokens, i + 1, r);
  if (tokens.some(timesRate)) return RATE;
  let first = null;
  let i = 0;
  while (i < tokens.length) {
    const found = used[i] ? null : quantityAt(tokens, i, r);
    if (found === null) {
      i += 1;
      continue;
    }
    const [claim, end] = found;
    if (isRate(tokens, end, r)) return RATE;
    const [start, stop] = bounds(tokens, used, i, end, claim, r);
    for (let k = start; k < stop; k += 1) used[k] = "qty";
    first = first || claim;
    i = stop;
  }
  return first;
}

function isRate(tokens, end, r) {
  if (end >= tokens.length) return false;
  if (r.per.has(tokens[end])) return true;
  if (r.rateArticles.has(tokens[end]) && end + 1 < tokens.length) {
    return r.periods.has(tokens[end + 1]) || Boolean(unitAt(tokens, end + 1, r));
  }
  return false;
}

function quantityAt(tokens, i, r) {
  if (i && r.labels.has(tokens[i - 1])) return null;
  const [size, fixed] = matchAt(tokens, i, r.quantityPhrases);
  if (size) return [{ value: tidy(fixed[0]), unit: fixed[1] }, i + size];
  const ranged = rangeAt(tokens, i, r);
  if (ranged) return ranged;
  const number = numberAt(tokens, i, r);
  const unit = number ? unitAt(tokens, number[1], r) : unitForOne(tokens, i, r);
  if (unit === null) return null;
  const value = number ? number[0] : 1;
  const end = unit[1];
  const [half] = matchAt(tokens, end, r.plusHalf);
  return [{ value: tidy(value + (half ? 0.5 : 0)), unit: unit[0] }, end + half];
}

function unitForOne(tokens, i, r) {
  let unit;
  if (articleCounts(tokens, i, r)) unit = unitAt(tokens, i + 1, r);
  else if (i && r.every.has(tokens[i - 1])) unit = unitAt(tokens, i, r);
  else return null;
  return unit && r.articleUnits.has(unit[0]) ? unit : null;
}

function articleCounts(tokens, i, r) {
  if (!r.one.has(tokens[i])) return false;
  if (i === 0) return true;
  const before = tokens[i - 1];
  return (
    r.stop.has(before)
    || r.light.has(before)
    || r.every.has(before)
    || Boolean(matchBefore(tokens, i, r.before)[0])
    || Boolean(matchAt(tokens, i - 1, r.approximate)[0])
  );
}

function rangeAt(tokens, i, r) {
  const start = r.rangeStart.has(tokens[i]) ? i + 1 : i;
  const low = numberAt(tokens, start, r);
  if (low === null || low[1] >= tokens.length || !r.rangeJoiners.has(tokens[low[1]])) return null;
  const high = numberAt(tokens, low[1] + 1, r);
  const unit = high ? unitAt(tokens, high[1], r) : null;
  if (high === null || unit === null || low[0] + high[0] <= 0) return null;
  const middle = (low[0] + high[0]) / 2;
  const tolerance = roundTo(Math.abs(high[0] - low[0]) / (low[0] + high[0]), 3);
  return [{ value: tidy(middle), unit: unit[0], tolerance }, unit[1]];
}

function bounds(tokens, used, start, stop, claim, r) {
  let left = start;
  let end = stop;
  for (;;) {
    const [approximate] = matchBefore(tokens, left, r.approximate);
    if (!approximate || !left) break;
    left -= approximate;
  }
  let [size, comparator] = matchBefore(tokens, left, r.before);
  if (size) left -= size;
  else {
    [size, comparator] = matchAt(tokens, end, r.after);
    end += size;
  }
  if (comparator && !("tolerance" in claim)) {
    claim.comparator = negated(tokens, used, left, r) ? FLIP[comparator] : comparator;
  }
  return [left, end];
}

function negated(tokens, used, before, r) {
  for (let k = before - 1; k >= 0; k -= 1) {
    if (r.breaks.has(tokens[k])) return false;
    if (r.negations.has(tokens[k]) && (!used[k] || used[k].includes("never"))) return true;
  }
  return false;
}

// -- topic -------------------------------------------------------------------------------
function topicOf(tokens, used, r) {
  const { raw } = r;
  const skip = new Set([
    ...r.stop, ...r.light, ...r.negations, ...Object.keys(r.ones), ...Object.keys(r.tens),
    ...raw.approximate,
  ]);
  const words = [];
  for (let i = 0; i < tokens.length; i += 1) {
    let token = tokens[i];
    if (r.breaks.has(token) && words.length) break;
    if (used[i] || r.breaks.has(token) || skip.has(token) || r.subjects.has(token) || !/^[\p{L}\p{N}]/u.test(token)) {
      continue;
    }
    const number = /^[0-9]/.test(token) && !r.fixed.has(token);
    const labelled = i > 0 && r.labels.has(tokens[i - 1]);
    if ((!words.length && r.roles.has(token)) || (number && !labelled)) continue;
    if (!words.length && i && verbPosition(tokens, used, i - 1, r)) token = baseVerb(token, raw);
    words.push(token);
    if (words.length === raw.topic_words) break;
  }
  return words.length ? words.join(" ") : null;
}

function verbPosition(tokens, used, from, r) {
  for (let k = from; k >= 0; k -= 1) {
    const token = tokens[k];
    if (r.subjects.has(token) || r.roles.has(token) || r.negations.has(token)) return true;
    if (!used[k].startsWith("freq") && !used[k].startsWith("weak")) return false;
  }
  return false;
}

function baseVerb(word, raw) {
  if (raw.verb_endings_kept.some((ending) => word.endsWith(ending))) return word;
  for (const [ending, replacement] of raw.verb_endings) {
    if (word.endsWith(ending) && word.length > ending.length + 1) {
      return word.slice(0, -ending.length) + replacement;
    }
  }
  return word;
}
