// The capture forms of the offline app: walk, place, thing, fact and statement. Fields, their
// order, labels and choices come from the server's vocabulary (vocabulary.js); each form
// turns its fields into one Gemba JSON v1 record with the client UUID it was opened with
// (a fact linked by hand to a statement also gives its contradiction record).

import { proposeClaims } from "./claim-proposal.js";
import { saidWords } from "./expired.js";
import { photoField, gpsField } from "./form-parts.js";
import { debounced, mergeSuggestions, rankedTopics } from "./topic-suggest.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";
import { announcedDefault, shadowOptions, wireWalkForm } from "./walk-start.js";
import { CHOICES, DEFAULTS, FACT_FIRST_SCREEN, FACT_TEXT_MISSING, FIELDS, NO_STATEMENT, NONE, factText, hint, label } from "./vocabulary.js";

// The save button, by kind of record.
const SAVE = { walk: t("Save walk"), place: t("Save place"), thing: t("Save thing"), fact: t("Save fact"), statement: t("Save statement") };

let serial = 0;
const fieldId = (name) => `f-${name}-${++serial}`;

function field(kind, name, control, extra = null) {
  const id = control.id || (control.id = fieldId(name));
  const note = hint(kind, name);
  return h("div", { class: "field", "data-field": name },
    h("label", { for: id }, label(kind, name)), control, extra, note ? h("p", { class: "hint" }, note) : null);
}

const input = (name, value, attrs = {}) => h("input", { type: "text", name, value: value ?? "", autocomplete: "off", ...attrs });
const textarea = (name, value, attrs = {}) => h("textarea", { name, rows: 2, ...attrs }, value ?? "");

function select(name, options, value) {
  const el = h("select", { name }, options.map(([v, text]) => h("option", { value: v }, text)));
  el.value = value ?? options[0][0];
  return el;
}

function chips(kind, name, options, checked, type = "radio", extraClass = "") {
  const values = type === "radio" ? [checked] : checked;
  return h("div", { class: `field chips ${extraClass}`, "data-field": name },
    h("fieldset", {}, h("legend", {}, label(kind, name)),
      h("div", { class: "choices" }, options.map(([value, text]) => h("label", { class: "choice" },
        h("input", { type, name, value, checked: values.includes(value) }), h("span", {}, text))))),
    hint(kind, name) ? h("p", { class: "hint" }, hint(kind, name)) : null);
}

// The name of a suggestion list, by field (read out by screen readers).
const KNOWN = { speaker: t("Known said by (role)s"), topic: t("Known topics"), claim_unit: t("Known units"), unit: t("Known units") };

/** A text input with tappable suggestions under it (a datalist cannot be tapped reliably);
 * with `remote(typed, signal)`, names the server ranks come first once typing pauses. */
function suggesting(kind, name, value, options, attrs = {}, remote = null) {
  const control = input(name, value, { maxlength: 200, enterkeyhint: "next", ...attrs });
  const list = h("div", { class: "suggest", role: "group", "aria-label": KNOWN[name] || t("Suggestions") });
  const known = [...new Set(options.filter(Boolean))].sort((a, b) => a.localeCompare(b));
  const local = (typed) => (typed
    ? [...known.filter((t) => t.toLowerCase().startsWith(typed)), ...known.filter((t) => !t.toLowerCase().startsWith(typed) && t.toLowerCase().includes(typed))]
    : []);
  const draw = (names) => list.replaceChildren(...names.map((t) => h("button", { type: "button", class: "suggestion", onclick: () => {
    control.value = t;
    list.replaceChildren();
    control.dispatchEvent(new Event("input", { bubbles: true }));
  } }, t)));
  const ask = remote && debounced(async (typed, signal) => {
    const ranked = await remote(typed, signal);
    if (!signal.aborted && ranked.length && control.value.trim().toLowerCase() === typed) draw(mergeSuggestions(ranked, local(typed), typed));
  });
  control.addEventListener("input", () => {
    const typed = control.value.trim().toLowerCase();
    draw(mergeSuggestions([], local(typed), typed));
    if (ask && typed) ask(typed);
  });
  // A carried-over value is replaced by typing, not by deleting it first.
  control.addEventListener("focus", () => control.select());
  return field(kind, name, control, list);
}

const topicsLike = (ctx) => (typed, signal) => rankedTopics(ctx.site && ctx.site.id, typed, signal);
const yesNo = (value) => (value === false ? "no" : "yes");
const personaOptions = (ctx) => [["", NONE], ...ctx.personas.map((p) => [p.id, p.name])];
const placeOptions = (ctx) => [["", NONE], ...ctx.places.map((p) => [p.id, p.name])];

// How each field is drawn, by form and name; a field whose builder returns null is not shown.
const BUILD = {
  walk: {
    site: (r, ctx) => field("walk", "site", select("site", ctx.sites.map((s) => [s.id, s.name]), r.site)),
    title: (r) => field("walk", "title", input("title", r.title, { required: true, maxlength: 200 })),
    purpose: (r) => field("walk", "purpose", textarea("purpose", r.purpose)),
    announced: (r, ctx) => chips("walk", "announced", CHOICES.announced, r.announced !== undefined ? yesNo(r.announced)
      : announcedDefault(ctx.sites.find((s) => s.id === (r.site || (ctx.sites[0] || {}).id)), ctx.plan), "radio", "two-choice"),
    observer_visible: (r) => chips("walk", "observer_visible", CHOICES.observer_visible, yesNo(r.observer_visible), "radio", "two-choice"),
    calibrates: (r, ctx) => field("walk", "calibrates", select("calibrates", shadowOptions(ctx.walks || [], r.site || (ctx.sites[0] || {}).id, r.id), r.calibrates || "")),
  },
  place: {
    name: (r) => field("place", "name", input("name", r.name, { required: true, maxlength: 200 })),
    note: (r) => field("place", "note", textarea("note", r.note)),
  },
  thing: {
    name: (r) => field("thing", "name", input("name", r.name, { required: true, maxlength: 200 })),
    kind: (r) => chips("thing", "kind", CHOICES.kind, r.kind || DEFAULTS.kind),
    place: (r, ctx) => (ctx.places.length ? field("thing", "place", select("place", placeOptions(ctx), r.place)) : null),
    note: (r) => field("thing", "note", textarea("note", r.note)),
  },
  statement: {
    text: (r) => field("statement", "text", textarea("text", r.text, { required: true })),
    speaker: (r, ctx) => suggesting("statement", "speaker", r.speaker, ctx.speakers, { maxlength: 120 }),
    topic: (r, ctx) => suggesting("statement", "topic", r.topic, ctx.topics, {}, topicsLike(ctx)),
    claim: (r) => chips("statement", "claim", CHOICES.claim, claimChoice(r.claim), "radio", "claim-picker"),
    claim_value: (r) => field("statement", "claim_value", input("claim_value", (r.claim || {}).value, { inputmode: "decimal" })),
    claim_unit: (r, ctx) => suggesting("statement", "claim_unit", (r.claim || {}).unit, ctx.units, { maxlength: 32 }),
    claim_comparator: (r) => field("statement", "claim_comparator", select("claim_comparator", CHOICES.comparator, (r.claim || {}).comparator || "")),
    claim_tolerance: (r) => {
      const t = (r.claim || {}).tolerance;
      return field("statement", "claim_tolerance", input("claim_tolerance", t !== undefined ? t * 100 : (r.id && r.claim ? "" : DEFAULTS.claim_tolerance), { inputmode: "decimal" }));
    },
    source: (r) => field("statement", "source", select("source", CHOICES.source, r.source || DEFAULTS.source)),
    persona: (r, ctx) => (ctx.personas.length ? field("statement", "persona", select("persona", personaOptions(ctx), r.persona)) : null),
    place: (r, ctx) => (ctx.places.length ? field("statement", "place", select("place", placeOptions(ctx), r.place)) : null),
  },
  fact: {
    topic: (r, ctx) => suggesting("fact", "topic", r.topic, ctx.topics, { autofocus: !r.topic }, topicsLike(ctx)),
    outcome: (r) => chips("fact", "outcome", CHOICES.outcome, outcomeOf(r), "radio", "outcome-picker"),
    value: (r) => field("fact", "value", input("value", r.value, { inputmode: "decimal" })),
    unit: (r, ctx) => suggesting("fact", "unit", r.unit, ctx.units, { maxlength: 32 }),
    text: (r) => field("fact", "text", textarea("text", r.text)),
    sentiment: (r) => chips("fact", "sentiment", CHOICES.sentiment, r.sentiment || ""),
    persona: (r, ctx) => (ctx.personas.length ? field("fact", "persona", select("persona", personaOptions(ctx), r.persona)) : null),
    place: (r, ctx) => (ctx.places.length ? field("fact", "place", select("place", placeOptions(ctx), r.place)) : null),
    things: (r, ctx) => (ctx.things.length ? chips("fact", "things", ctx.things.map((t) => [t.id, t.name]), r.things || [], "checkbox") : null),
    contradicts: (r, ctx) => (!ctx.editing && ctx.statements.length
      ? field("fact", "contradicts", select("contradicts", [["", NO_STATEMENT], ...ctx.statements.map((s) => [s.id, short(s)])], r.contradicts)) : null),
    contradiction_note: (r, ctx) => (!ctx.editing && ctx.statements.length
      ? field("fact", "contradiction_note", input("contradiction_note", r.contradiction_note, { maxlength: 2000 })) : null),
  },
};

const short = (s) => {
  const words = saidWords(s);
  const text = words.length > 60 ? `${words.slice(0, 59)}…` : words;
  return s.speaker ? `${text} — ${s.speaker}` : text;
};

function claimChoice(claim) {
  if (!claim) return "";
  return claim.frequency || (claim.value !== undefined ? "measure" : "");
}

function outcomeOf(r) {
  if (r.performed === true) return "done";
  if (r.performed === false) return "not_done";
  if (r.value !== undefined) return "measurement";
  return r.id && r.text ? "note" : DEFAULTS.outcome;
}

/** The fields of a form, in the vocabulary's order, grouped as the layout needs. */
function layout(kind, record, ctx) {
  const built = FIELDS[kind].map(({ name }) => [name, BUILD[kind][name](record, ctx)]).filter(([, el]) => el);
  if (kind === "statement") {
    const measure = built.filter(([n]) => n.startsWith("claim_")).map(([, el]) => el);
    const rest = built.filter(([n]) => !n.startsWith("claim_"));
    const at = rest.findIndex(([n]) => n === "claim") + 1;
    rest.splice(at, 0, ["claim-measure", h("div", { class: "claim-measure grid-2" }, measure)]);
    return { first: rest.map(([, el]) => el), more: [] };
  }
  if (kind === "fact") {
    const first = built.filter(([n]) => FACT_FIRST_SCREEN.has(n));
    const measure = h("div", { class: "fact-measure grid-2" }, first.filter(([n]) => n === "value" || n === "unit").map(([, el]) => el));
    return {
      first: [...first.filter(([n]) => n !== "value" && n !== "unit").map(([, el]) => el), measure],
      more: built.filter(([n]) => !FACT_FIRST_SCREEN.has(n)).map(([, el]) => el),
    };
  }
  return { first: built.map(([, el]) => el), more: [] };
}

/**
 * Build the form for a record kind. ctx: {walk, places, things, personas, statements, sites,
 * topics, speakers, units, gpsWarn, editing}. Returns {element, photos, read(), showErrors()};
 * read() gives {record, extra} or {errors}.
 */
export function buildForm(kind, record, ctx) {
  const photos = [];
  const { first, more } = layout(kind, record, ctx);
  if (kind === "place") first.splice(1, 0, gpsField(record, ctx.gpsWarn));
  const photoPart = kind !== "walk" ? photoField(photos, { worksCouncil: Boolean(ctx.site && ctx.site.works_council) }) : null;
  const details = kind === "fact"
    ? h("details", { class: "more", open: ctx.openMore || false }, h("summary", {}, t("More details: words, people, things, photos")), more, photoPart)
    : null;
  const form = h("form", { class: `capture-form form-${kind}`, novalidate: true, "data-kind": kind },
    first, details || photoPart,
    h("div", { class: "form-actions sticky-save" }, h("button", { type: "submit", class: "button primary block" },
      SAVE[kind])));
  if (kind === "walk") wireWalkForm(form, record);
  if (kind === "statement") proposeClaims(form, ctx.site && ctx.site.id);

  function read() {
    const data = new FormData(form);
    const get = (name) => clean(data.get(name) ?? "");
    const errors = {};
    let out = { type: kind, id: record.id };
    if (kind === "walk") {
      Object.assign(out, { site: get("site"), title: get("title"), purpose: get("purpose"), status: record.status || "in_progress",
        started_at: record.started_at || new Date().toISOString(), ended_at: record.ended_at, plan: record.plan,
        announced: get("announced") !== "no", observer_visible: get("observer_visible") !== "no", calibrates: get("calibrates") });
      if (!out.title) errors.title = t("Give the walk a title.");
      if (!out.site) errors.site = t("Choose a site.");
    } else {
      out = { ...out, walk: ctx.walk.id, observed_at: record.observed_at || new Date().toISOString(), place: get("place") };
    }
    const extra = [];
    if (kind === "place") readPlace(out, get, errors);
    else if (kind === "thing") {
      Object.assign(out, { name: get("name"), kind: get("kind") || "other", note: get("note") });
      if (!out.name) errors.name = t("Name the thing.");
    } else if (kind === "statement") readStatement(out, get, errors);
    else if (kind === "fact") {
      readFact(out, get, data, errors);
      if (record.plan_item) out.plan_item = record.plan_item; // a check stays the item's answer
      if (get("contradicts")) extra.push({ type: "contradiction", id: crypto.randomUUID(), fact: out.id, statement: get("contradicts"), note: get("contradiction_note") });
    }
    return Object.keys(errors).length ? { errors } : { record: compact(out), extra: extra.map(compact) };
  }

  function showErrors(errors) {
    for (const el of form.querySelectorAll(".error")) el.remove();
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const [name, message] of Object.entries(errors)) {
      const holder = form.querySelector(`[data-field="${name}"]`);
      if (!holder) continue;
      if (details && details.contains(holder)) details.open = true;
      holder.classList.add("has-error");
      const control = holder.querySelector("input, select, textarea");
      if (control) control.setAttribute("aria-invalid", "true");
      holder.append(h("p", { class: "error", role: "alert" }, message));
    }
    const firstBad = form.querySelector("[aria-invalid]");
    if (firstBad) firstBad.focus();
  }

  return { element: form, photos, read, showErrors };
}

const clean = (value) => (typeof value === "string" ? value.trim() : value);

/** Drop empty optional fields: in Gemba JSON an absent field means "no value". */
function compact(record) {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== "" && v !== null && v !== undefined
    && !(Array.isArray(v) && !v.length)));
}

function number(value) {
  const text = String(value ?? "").trim().replace(",", ".");
  if (!text) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : NaN;
}

function readPlace(out, get, errors) {
  Object.assign(out, { name: get("name"), note: get("note") });
  if (get("lat") !== "") Object.assign(out, { lat: Number(get("lat")), lon: Number(get("lon")), accuracy_m: Number(get("accuracy_m")) });
  if (!out.name) errors.name = t("Name the place.");
}

function readStatement(out, get, errors) {
  Object.assign(out, { text: get("text"), speaker: get("speaker"), topic: get("topic"), source: get("source"), persona: get("persona") });
  const claim = get("claim");
  if (CHOICES.claim.some(([v]) => v === claim) && claim && claim !== "measure") out.claim = { frequency: claim };
  if (claim === "measure") {
    const value = number(get("claim_value"));
    const tolerance = number(get("claim_tolerance"));
    const comparator = get("claim_comparator");
    if (value === null || Number.isNaN(value)) errors.claim_value = t("Enter the number that was claimed.");
    if (Number.isNaN(tolerance) || tolerance < 0) errors.claim_tolerance = t("A percentage, like 20.");
    out.claim = compact({ value, unit: get("claim_unit"), comparator,
      tolerance: comparator || tolerance === null || Number.isNaN(tolerance) ? null : tolerance / 100 });
  }
  if (!out.text) errors.text = t("Write down what was said.");
}

function readFact(out, get, data, errors) {
  const outcome = get("outcome") || DEFAULTS.outcome;
  Object.assign(out, { topic: get("topic"), sentiment: get("sentiment"), persona: get("persona"), things: data.getAll("things") });
  if (outcome === "done") out.performed = true;
  if (outcome === "not_done") out.performed = false;
  if (outcome === "measurement") {
    const value = number(get("value"));
    if (value === null || Number.isNaN(value)) errors.value = t("Enter the measured value.");
    Object.assign(out, { value, unit: get("unit") });
  }
  out.text = get("text") || factText(out.topic, outcome);
  if (!out.text) errors.text = FACT_TEXT_MISSING;
}
