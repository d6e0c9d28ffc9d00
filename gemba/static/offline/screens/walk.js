// A walk's page: its header, the say-vs-do panel, the timeline of records and the bar that
// adds a place, thing, fact or statement to it.

import { hintItem, hints, loadSaydo } from "../hints.js";
import { app, getJSON, LABELS, link, loadLists, loadSite, merged, syncMark } from "../state.js";
import { day, h, plural, time } from "../ui.js";

/** A walk and what its screens need: its site, records, places, things and suggestions. */
export async function walkContext(walkId) {
  await loadLists();
  let doc = null;
  const queued = merged([]).get(walkId);
  if (!queued || queued.state === "synced") doc = await getJSON(`/api/v1/walks/${walkId}`);
  const byIdWalk = merged(doc ? doc.records : []);
  const walkEntry = byIdWalk.get(walkId);
  const summary = app.walks.find((w) => w.id === walkId);
  const walk = walkEntry ? walkEntry.record : summary;
  if (!walk) return null;
  const siteData = await loadSite(walk.site);
  const byId = merged([...siteData.records, ...(doc ? doc.records : [])]);
  const ofWalk = [...byId.values()].filter(({ record }) => record.walk === walkId);
  const pick = (type) => ofWalk.filter(({ record }) => record.type === type).map(({ record }) => record);
  const siteRecords = [...byId.values()].map((e) => e.record);
  return {
    walk, walkState: walkEntry ? walkEntry.state : "server", byId, ofWalk,
    site: app.sites.find((s) => s.id === walk.site) || { id: walk.site, name: walk.site_name || "" },
    places: pick("place"), things: pick("thing"),
    topics: [...siteData.topics, ...siteRecords.map((r) => r.topic)],
    speakers: siteRecords.map((r) => r.speaker),
    units: ["s", "min", "h", "mm", "cm", "m", "g", "kg", "count", ...siteRecords.map((r) => r.unit)],
  };
}

function card(entry, ctx) {
  const r = entry.record;
  const photos = app.items.filter((i) => i.kind === "photo" && i.record === r.id);
  const meta = [];
  let body;
  if (r.type === "place") {
    body = h("p", { class: "record-main" }, r.name);
    if (r.lat !== undefined) meta.push(`GPS ${r.lat.toFixed(5)}, ${r.lon.toFixed(5)} ±${Math.round(r.accuracy_m || 0)} m`);
  } else if (r.type === "thing") {
    body = h("p", { class: "record-main" }, r.name, " ", h("span", { class: "badge" }, r.kind || "other"));
  } else if (r.type === "fact") {
    body = h("p", { class: "record-main" }, r.text);
    if (r.topic) meta.push(h("span", { class: "topic" }, r.topic));
    if (r.performed === true) meta.push(h("span", { class: "badge badge-done" }, "done"));
    if (r.performed === false) meta.push(h("span", { class: "badge badge-notdone" }, "not done"));
    if (r.value !== undefined) meta.push(h("span", { class: "badge" }, `${r.value} ${r.unit || ""}`));
    if (r.sentiment) meta.push(h("span", { class: `badge badge-${r.sentiment}` }, r.sentiment));
  } else {
    body = h("blockquote", { class: "record-main" }, `“${r.text}”`);
    if (r.speaker) meta.push(r.speaker);
    if (r.topic) meta.push(h("span", { class: "topic" }, r.topic));
    if (r.claim) {
      const c = r.claim;
      meta.push(h("span", { class: "badge badge-claim" }, c.frequency
        || `${{ "<=": "≤ ", ">=": "≥ " }[c.comparator] || ""}${c.value} ${c.unit || ""}`));
    }
  }
  if (r.place) {
    const place = ctx.places.find((p) => p.id === r.place);
    if (place) meta.push(`at ${place.name}`);
  }
  const contradicting = ctx.hints.some((hint) => hint.evidence.includes(r.id));
  const hint = ctx.hints.find((x) => x.statement.id === r.id);
  const editable = entry.state === "pending" || entry.state === "rejected";
  return h("li", { class: `record record-${r.type}${contradicting ? " is-contradicting" : ""}${editable ? " is-unsynced" : ""}`, id: `r-${r.id}` },
    h("div", { class: "record-head" }, h("span", { class: "kind" }, LABELS[r.type]),
      syncMark(entry.state, entry.error), h("time", { datetime: r.observed_at || "" }, time(r.observed_at))),
    body,
    meta.length ? h("p", { class: "meta" }, meta.map((m) => (typeof m === "string" ? h("span", {}, m) : m))) : null,
    photos.length ? h("p", { class: "meta" }, h("span", { class: "badge badge-unsynced" }, `${plural(photos.length, "photo")} not yet synced`)) : null,
    contradicting ? h("p", { class: "contradicts" }, "Contradicts what was said") : null,
    hint ? h("p", { class: "contradicts" }, `Contradicted: ${hint.explanation}`) : null,
    entry.state === "rejected" ? h("p", { class: "error" }, entry.error) : null,
    editable ? h("div", { class: "record-actions" }, link(`/app/edit/${r.id}`, "Edit")) : null);
}

export async function viewWalk(walkId) {
  const [ctx] = await Promise.all([walkContext(walkId), loadSaydo()]);
  if (!ctx) return [h("h1", {}, "Walk not found"), h("p", { class: "empty" }, "This walk is not on this phone."), link("/app", "← Walks")];
  // What concerns this walk: its statements, and statements its facts contradict.
  const here = new Set(ctx.ofWalk.map(({ record }) => record.id));
  ctx.hints = hints(ctx.site.id, ctx.byId)
    .filter((x) => here.has(x.statement.id) || x.evidence.some((id) => here.has(id)));
  const records = ctx.ofWalk.filter(({ record }) => record.type !== "contradiction")
    .sort((a, b) => String(b.record.observed_at).localeCompare(String(a.record.observed_at)));
  const counts = ["place", "thing", "fact", "statement"].map((k) => plural(records.filter((e) => e.record.type === k).length, k));
  const unsynced = records.filter((e) => e.state === "pending" || e.state === "rejected").length;
  const mine = ctx.walkState !== "server" || !ctx.walk.observer || ctx.walk.observer === app.me.label || app.me.role === "admin";
  const flash = app.flash;
  app.flash = null;
  return [
    h("p", {}, link("/app", "← Walks")),
    flash ? h("div", { class: "flashes", role: "status" }, flash) : null,
    h("header", { class: "walk-head" },
      h("p", { class: "muted" }, `${ctx.site.name} · ${day(ctx.walk.started_at)}`),
      h("h1", {}, ctx.walk.title, " ", syncMark(ctx.walkState)),
      ctx.walk.purpose ? h("p", { class: "purpose" }, ctx.walk.purpose) : null,
      h("p", { class: "counts" }, counts.join(" · "), unsynced ? ` · ${unsynced} not yet synced` : "")),
    ctx.hints.length
      ? h("section", { class: "gaps-panel", "aria-labelledby": "gaps-title" },
        h("h2", { id: "gaps-title" }, "Say ≠ do ", h("span", { class: "badge badge-gap" }, String(ctx.hints.length))),
        h("ul", { class: "list" }, ctx.hints.map(hintItem)))
      : null,
    h("section", { "aria-label": "Timeline" }, records.length
      ? h("ol", { class: "timeline" }, records.map((e) => card(e, ctx)))
      : h("p", { class: "empty" }, "Nothing logged yet. Start with the place you are standing at.")),
    mine ? h("nav", { class: "actionbar", "aria-label": "Add to this walk" },
      [["place", "◉", "Place"], ["thing", "▣", "Thing"], ["fact", "✓", "Fact"], ["statement", "❝", "Said"]].map(([kind, icon, label]) =>
        h("a", { href: `/app/walks/${walkId}/new/${kind}`, class: `add add-${kind}`, "data-route": true },
          h("span", { "aria-hidden": "true" }, icon), label))) : null,
  ];
}
