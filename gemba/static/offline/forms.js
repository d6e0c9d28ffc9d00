// The capture forms of the offline app: walk, place, thing, fact and statement. Each form
// turns its fields into one Gemba JSON v1 record (with the client UUID it was opened with).

import { downscale } from "./photos.js";
import { bytes, h } from "./ui.js";

const KINDS = [["equipment", "Equipment"], ["tool", "Tool"], ["material", "Material"], ["document", "Document"],
  ["screen", "Screen"], ["product", "Product"], ["other", "Other"]];
const SOURCES = [["", "—"], ["interview", "Interview"], ["sop", "SOP"], ["signage", "Signage"], ["survey", "Survey"],
  ["meeting", "Meeting"], ["other", "Other"]];
const CLAIMS = [["none", "No claim"], ["always", "Always"], ["usually", "Usually"], ["sometimes", "Sometimes"],
  ["rarely", "Rarely"], ["never", "Never"], ["measure", "A number"]];
const OUTCOMES = [["note", "Just a note"], ["done", "Done"], ["not_done", "Not done"], ["measurement", "A measurement"]];
const SENTIMENTS = [["", "None"], ["pain", "Pain"], ["neutral", "Neutral"], ["delight", "Delight"]];
export const TITLES = { walk: "walk", place: "place", thing: "thing", fact: "fact", statement: "statement" };

let serial = 0;
const fieldId = (name) => `f-${name}-${++serial}`;

function field(label, control, hint) {
  const id = control.id || (control.id = fieldId(control.name || "x"));
  return h("div", { class: "field", "data-field": control.name },
    h("label", { for: id }, label), control, hint ? h("p", { class: "hint" }, hint) : null);
}

const input = (name, value, attrs = {}) => h("input", { type: "text", name, value: value ?? "", autocomplete: "off", ...attrs });
const textarea = (name, value, attrs = {}) => h("textarea", { name, rows: 3, ...attrs }, value ?? "");

function select(name, options, value) {
  const el = h("select", { name }, options.map(([v, label]) => h("option", { value: v }, label)));
  el.value = value ?? options[0][0];
  return el;
}

function choices(name, legend, options, checked, extraClass = "") {
  return h("div", { class: `field chips ${extraClass}`, "data-field": name },
    h("fieldset", {}, h("legend", {}, legend),
      h("div", { class: "choices" }, options.map(([value, label]) => h("label", { class: "choice" },
        h("input", { type: "radio", name, value, checked: value === checked }), h("span", {}, label))))));
}

function checks(name, legend, options, checked) {
  return h("div", { class: "field chips", "data-field": name },
    h("fieldset", {}, h("legend", {}, legend),
      h("div", { class: "choices" }, options.map(([value, label]) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name, value, checked: checked.includes(value) }), h("span", {}, label))))));
}

function datalist(id, values) {
  return h("datalist", { id }, [...new Set(values)].filter(Boolean).sort().map((v) => h("option", { value: v })));
}

function photoField(photos) {
  const list = h("ul", { class: "photo-list" });
  const status = h("p", { class: "hint", "aria-live": "polite" }, "Optional. Shrunk to 2048 px on this phone before it is queued.");
  const picker = h("input", { type: "file", name: "photo", accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden", id: fieldId("photo") });
  picker.addEventListener("change", async () => {
    const files = [...picker.files];
    picker.value = "";
    for (const file of files) {
      status.textContent = `Shrinking ${file.name}…`;
      try {
        const shrunk = await downscale(file);
        photos.push({ id: crypto.randomUUID(), ...shrunk });
        const url = URL.createObjectURL(shrunk.blob);
        list.append(h("li", {}, h("img", { src: url, alt: `Photo ${photos.length}`, width: 72, height: 72 }),
          h("span", { class: "muted" }, `${shrunk.width}×${shrunk.height}, ${bytes(shrunk.blob.size)}`)));
        status.textContent = `${photos.length} photo${photos.length === 1 ? "" : "s"} ready.`;
      } catch {
        status.textContent = `${file.name} could not be read as a photo.`;
      }
    }
  });
  return h("div", { class: "field" },
    h("label", { for: picker.id, class: "button" }, "📷 Add photo"), picker, status, list);
}

function gpsField(record, warnMetres) {
  const lat = h("input", { type: "hidden", name: "lat", value: record.lat ?? "" });
  const lon = h("input", { type: "hidden", name: "lon", value: record.lon ?? "" });
  const acc = h("input", { type: "hidden", name: "accuracy_m", value: record.accuracy_m ?? "" });
  const status = h("p", { class: "hint", "aria-live": "polite" },
    record.lat !== undefined ? `Location saved (±${Math.round(record.accuracy_m || 0)} m).` : "Optional. Needs your permission.");
  const button = h("button", { type: "button", class: "button" }, "Use my location");
  button.addEventListener("click", () => {
    if (!("geolocation" in navigator)) {
      status.textContent = "This browser cannot share a location.";
      return;
    }
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition((position) => {
      const { latitude, longitude, accuracy } = position.coords;
      lat.value = latitude.toFixed(6);
      lon.value = longitude.toFixed(6);
      acc.value = Math.round(accuracy);
      const poor = accuracy > warnMetres;
      status.className = poor ? "hint warn" : "hint";
      status.textContent = poor
        ? `Poor fix: ±${Math.round(accuracy)} m, worse than your ${warnMetres} m threshold. Move to open sky and try again, or keep it.`
        : `Location saved (±${Math.round(accuracy)} m).`;
    }, (error) => {
      status.textContent = error.code === error.PERMISSION_DENIED
        ? "Location permission was refused; the place is saved without it."
        : "No location fix; the place is saved without it.";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
  return h("div", { class: "field geo" }, button, status, lat, lon, acc);
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

/**
 * Build the form for a record kind. ctx: {walk, places, things, sites, topics, speakers,
 * units, gpsWarn}. Returns {element, photos, read()}; read() gives {record} or {errors}.
 */
export function buildForm(kind, record, ctx) {
  const photos = [];
  const parts = [];
  const placeOptions = [["", "—"], ...ctx.places.map((p) => [p.id, p.name])];
  if (kind === "walk") {
    parts.push(field("Site", select("site", ctx.sites.map((s) => [s.id, s.name]), record.site)));
    parts.push(field("Title", input("title", record.title, { required: true, maxlength: 200 })));
    parts.push(field("Purpose", textarea("purpose", record.purpose), "The question this walk should answer."));
  } else if (kind === "place") {
    parts.push(field("Name", input("name", record.name, { required: true, maxlength: 200, placeholder: "Station, area or step" })));
    parts.push(gpsField(record, ctx.gpsWarn));
    parts.push(field("Note", textarea("note", record.note)));
  } else if (kind === "thing") {
    parts.push(field("Name", input("name", record.name, { required: true, maxlength: 200 })));
    parts.push(choices("kind", "Kind", KINDS, record.kind || "equipment"));
    if (ctx.places.length) parts.push(field("At place", select("place", placeOptions, record.place)));
    parts.push(field("Note", textarea("note", record.note)));
  } else if (kind === "statement") {
    const claim = record.claim || {};
    const claimChoice = claim.frequency || (claim.value !== undefined ? "measure" : "none");
    parts.push(field("What was said", textarea("text", record.text, { required: true })));
    parts.push(field("Speaker (role, never a name)", input("speaker", record.speaker, { list: "dl-speakers", maxlength: 120 })));
    parts.push(field("Topic", input("topic", record.topic, { list: "dl-topics", maxlength: 200 }), "Links it to facts on the same topic."));
    parts.push(choices("claim", "Claim", CLAIMS, claimChoice, "claim-picker"));
    parts.push(h("div", { class: "claim-measure" },
      h("div", { class: "grid-2" },
        field("Value", input("claim_value", claim.value, { inputmode: "decimal" })),
        field("Unit", input("claim_unit", claim.unit, { list: "dl-units" }))),
      h("div", { class: "grid-2" },
        field("Compared", select("claim_comparator", [["", "about (±)"], ["<=", "at most (≤)"], [">=", "at least (≥)"]], claim.comparator)),
        field("Tolerance %", input("claim_tolerance", claim.tolerance !== undefined ? claim.tolerance * 100 : "", { inputmode: "decimal", placeholder: "20" })))));
    parts.push(field("Source", select("source", SOURCES, record.source)));
    if (ctx.places.length) parts.push(field("At place", select("place", placeOptions, record.place)));
  } else if (kind === "fact") {
    const outcome = record.performed === true ? "done" : record.performed === false ? "not_done"
      : record.value !== undefined ? "measurement" : "note";
    parts.push(field("What happened", textarea("text", record.text, { required: true })));
    parts.push(field("Topic", input("topic", record.topic, { list: "dl-topics", maxlength: 200 })));
    parts.push(choices("outcome", "Outcome", OUTCOMES, outcome, "outcome-picker"));
    parts.push(h("div", { class: "fact-measure grid-2" },
      field("Value", input("value", record.value, { inputmode: "decimal" })),
      field("Unit", input("unit", record.unit, { list: "dl-units" }))));
    parts.push(choices("sentiment", "Sentiment", SENTIMENTS, record.sentiment || ""));
    if (ctx.places.length) parts.push(field("At place", select("place", placeOptions, record.place)));
    if (ctx.things.length) parts.push(checks("things", "Things", ctx.things.map((t) => [t.id, t.name]), record.things || []));
  }
  if (kind !== "walk") parts.push(photoField(photos));
  const form = h("form", { class: "capture-form", novalidate: true, "data-kind": kind },
    parts,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button primary block" },
      record.id && ctx.editing ? `Save ${TITLES[kind]} again` : `Save ${TITLES[kind]}`)),
    datalist("dl-topics", ctx.topics), datalist("dl-speakers", ctx.speakers), datalist("dl-units", ctx.units));

  function read() {
    const data = new FormData(form);
    const get = (name) => clean(data.get(name) ?? "");
    const errors = {};
    const base = { type: kind, id: record.id };
    let out;
    if (kind === "walk") {
      out = { ...base, site: get("site"), title: get("title"), purpose: get("purpose"), status: record.status || "in_progress",
        started_at: record.started_at || new Date().toISOString() };
      if (!out.title) errors.title = "Give the walk a title.";
      if (!out.site) errors.site = "Choose a site.";
    } else {
      out = { ...base, walk: ctx.walk.id, observed_at: record.observed_at || new Date().toISOString() };
      const place = get("place");
      if (place) out.place = place;
    }
    if (kind === "place") {
      Object.assign(out, { name: get("name"), note: get("note") });
      if (get("lat") !== "") Object.assign(out, { lat: Number(get("lat")), lon: Number(get("lon")), accuracy_m: Number(get("accuracy_m")) });
      if (!out.name) errors.name = "Name the place.";
    } else if (kind === "thing") {
      Object.assign(out, { name: get("name"), kind: get("kind") || "other", note: get("note") });
      if (!out.name) errors.name = "Name the thing.";
    } else if (kind === "statement") {
      Object.assign(out, { text: get("text"), speaker: get("speaker"), topic: get("topic"), source: get("source") });
      const claim = get("claim");
      if (["always", "usually", "sometimes", "rarely", "never"].includes(claim)) out.claim = { frequency: claim };
      if (claim === "measure") {
        const value = number(get("claim_value"));
        const tolerance = number(get("claim_tolerance"));
        if (value === null || Number.isNaN(value)) errors.claim_value = "Enter the number that was claimed.";
        if (Number.isNaN(tolerance) || tolerance < 0) errors.claim_tolerance = "A percentage, like 20.";
        out.claim = compact({ value, unit: get("claim_unit"), comparator: get("claim_comparator"),
          tolerance: tolerance === null || Number.isNaN(tolerance) ? null : tolerance / 100 });
      }
      if (!out.text) errors.text = "Write down what was said.";
    } else if (kind === "fact") {
      Object.assign(out, { text: get("text"), topic: get("topic"), sentiment: get("sentiment"),
        things: data.getAll("things") });
      const outcome = get("outcome");
      if (outcome === "done") out.performed = true;
      if (outcome === "not_done") out.performed = false;
      if (outcome === "measurement") {
        const value = number(get("value"));
        if (value === null || Number.isNaN(value)) errors.value = "Enter the measured value.";
        Object.assign(out, { value, unit: get("unit") });
      }
      if (!out.text) errors.text = "Write down what happened.";
    }
    return Object.keys(errors).length ? { errors } : { record: compact(out) };
  }

  function showErrors(errors) {
    for (const el of form.querySelectorAll(".error")) el.remove();
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const [name, message] of Object.entries(errors)) {
      const holder = form.querySelector(`[data-field="${name}"]`);
      if (!holder) continue;
      holder.classList.add("has-error");
      const control = holder.querySelector("input, select, textarea");
      if (control) control.setAttribute("aria-invalid", "true");
      holder.append(h("p", { class: "error", role: "alert" }, message));
    }
    const first = form.querySelector("[aria-invalid]");
    if (first) first.focus();
  }

  return { element: form, photos, read, showErrors };
}
