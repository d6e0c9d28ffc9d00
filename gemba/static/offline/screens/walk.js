// A walk's page: "To check here" first, its header, the say-vs-do panel, "same again", the
// timeline of records and the bar that adds a place, thing, fact or statement to it.

import { carryOver } from "../drafts.js";
import { saidWords, seenWords } from "../expired.js";
import { hintItem, hints, loadSaydo } from "../hints.js";
import { planOf } from "../plans.js";
import { navigate, render } from "../router.js";
import { ADD_LABELS, announce, app, cachedJSON, LABELS, link, loadLists, loadSite, merged, refreshLocal, syncMark, worksCouncilBanner, zoneOf } from "../state.js";
import { loadToCheck, toCheckPanel } from "../to-check.js";
import { ngettext, t } from "../i18n.js";
import { day, h, time, uuid } from "../ui.js";
import { walkBanner } from "../walk-start.js";
import { choiceLabel, UNITS } from "../vocabulary.js";

/** A walk and what its screens need: its site, records, places, things and suggestions;
 * with `toCheck`, the site's "To check here" too (read beside the site's other reads). */
export async function walkContext(walkId, { toCheck = false } = {}) {
  // The lists and the walk's records are asked for together: one round trip, not two.
  const queued = merged([]).get(walkId);
  const [, doc] = await Promise.all([
    loadLists(),
    !queued || queued.state === "synced" ? cachedJSON(`/api/v1/walks/${walkId}`) : null,
  ]);
  const byIdWalk = merged(doc ? doc.records : []);
  const walkEntry = byIdWalk.get(walkId);
  const summary = app.walks.find((w) => w.id === walkId);
  const walk = walkEntry ? walkEntry.record : summary;
  if (!walk) return null;
  const [siteData, checks] = await Promise.all([loadSite(walk.site), toCheck ? loadToCheck(walk.site, walkId) : null]);
  const byId = merged([...siteData.records, ...(doc ? doc.records : [])]);
  const ofWalk = [...byId.values()].filter(({ record }) => record.walk === walkId);
  const pick = (type) => ofWalk.filter(({ record }) => record.type === type).map(({ record }) => record);
  const siteRecords = [...byId.values()].map((e) => e.record);
  const site = app.sites.find((s) => s.id === walk.site) || { id: walk.site, name: (summary && summary.site_name) || "" };
  return {
    walk, walkState: walkEntry ? walkEntry.state : "server", byId, ofWalk, site, zone: zoneOf(walk.site), checks,
    places: pick("place"), things: pick("thing"),
    personas: siteRecords.filter((r) => r.type === "persona" && r.site === walk.site),
    statements: siteRecords.filter((r) => r.type === "statement"),
    topics: [...siteData.topics, ...siteRecords.map((r) => r.topic)],
    speakers: siteRecords.map((r) => r.speaker),
    units: [...UNITS, ...siteRecords.map((r) => r.unit)],
  };
}

// "3 places · 1 thing · …", the walk's counts (each a plural of its own).
export const COUNTS = {
  place: (n) => ngettext("%(num)s place", "%(num)s places", n),
  thing: (n) => ngettext("%(num)s thing", "%(num)s things", n),
  fact: (n) => ngettext("%(num)s fact", "%(num)s facts", n),
  statement: (n) => ngettext("%(num)s statement", "%(num)s statements", n),
};

function outcomeBadges(r) {
  const out = [];
  if (r.performed === true) out.push(h("span", { class: "badge badge-done" }, choiceLabel("outcome", "done").toLowerCase()));
  if (r.performed === false) out.push(h("span", { class: "badge badge-notdone" }, choiceLabel("outcome", "not_done").toLowerCase()));
  if (r.value !== undefined) out.push(h("span", { class: "badge" }, `${r.value} ${r.unit || ""}`));
  return out;
}

function body(r, meta, zone) {
  if (r.type === "place") {
    if (r.lat !== undefined) meta.push(`GPS ${r.lat.toFixed(5)}, ${r.lon.toFixed(5)} ±${Math.round(r.accuracy_m || 0)} m`);
    return h("p", { class: "record-main" }, r.name);
  }
  if (r.type === "thing") return h("p", { class: "record-main" }, r.name, " ", h("span", { class: "badge" }, choiceLabel("kind", r.kind || "other")));
  if (r.type === "fact") {
    if (r.topic) meta.push(h("span", { class: "topic" }, r.topic));
    meta.push(...outcomeBadges(r));
    if (r.sentiment) meta.push(h("span", { class: `badge badge-${r.sentiment}` }, choiceLabel("sentiment", r.sentiment)));
    return r.expired_at ? h("p", { class: "record-main muted expired" }, seenWords(r, zone)) : h("p", { class: "record-main" }, r.text);
  }
  if (r.speaker) meta.push(r.speaker);
  if (r.topic) meta.push(h("span", { class: "topic" }, r.topic));
  if (r.claim) {
    const c = r.claim;
    meta.push(h("span", { class: "badge badge-claim" }, c.frequency ? choiceLabel("claim", c.frequency).toLowerCase()
      : `${{ "<=": "≤ ", ">=": "≥ " }[c.comparator] || ""}${c.value} ${c.unit || ""}`));
  }
  if (r.expired_at) return h("p", { class: "record-main muted expired" }, saidWords(r, zone));
  return h("blockquote", { class: "record-main" }, `“${r.text}”`);
}

function card(entry, ctx) {
  const r = entry.record;
  const photos = app.items.filter((i) => i.kind === "photo" && i.record === r.id);
  const meta = [];
  const main = body(r, meta, ctx.zone);
  const named = (list, id) => (list.find((x) => x.id === id) || {}).name;
  if (r.persona && named(ctx.personas, r.persona)) meta.push(named(ctx.personas, r.persona));
  if (r.place && named(ctx.places, r.place)) meta.push(t("at %(place)s", { place: named(ctx.places, r.place) }));
  const contradicting = ctx.hints.some((hint) => hint.evidence.includes(r.id));
  const hint = ctx.hints.find((x) => x.statement.id === r.id);
  const unsynced = entry.state === "pending" || entry.state === "rejected";
  const fresh = app.lastSave && app.lastSave.id === r.id;
  return h("li", { class: `record record-${r.type}${contradicting ? " is-contradicting" : ""}${unsynced ? " is-unsynced" : ""}${fresh ? " is-new" : ""}`, id: `r-${r.id}` },
    h("div", { class: "record-head" }, h("span", { class: "kind" }, LABELS[r.type]),
      syncMark(entry.state, entry.error), h("time", { datetime: r.observed_at || "" }, time(r.observed_at, ctx.zone))),
    main,
    meta.length ? h("p", { class: "meta" }, meta.map((m) => (typeof m === "string" ? h("span", {}, m) : m))) : null,
    photos.length ? h("p", { class: "meta" }, h("span", { class: "badge badge-unsynced" }, ngettext("%(num)s photo not yet synced", "%(num)s photos not yet synced", photos.length))) : null,
    contradicting ? h("p", { class: "contradicts" }, t("Contradicts what was said")) : null,
    hint ? h("p", { class: "contradicts" }, t("Contradicted: %(explanation)s", { explanation: hint.explanation })) : null,
    entry.state === "rejected" ? h("p", { class: "error" }, entry.error) : null,
    ctx.mine ? h("div", { class: "record-actions" }, link(`/app/walks/${ctx.walk.id}/edit/${r.id}`, t("Edit"), "button small")) : null);
}

/** "Same again": another observation like the walk's newest fact, in one tap, with an undo. */
function sameAgain(ctx, records) {
  const last = records.find((e) => e.record.type === "fact");
  if (!last || !ctx.mine || ctx.walk.status === "finished") return null;
  const r = last.record;
  const what = [r.topic || r.text, r.performed === true ? t("done") : r.performed === false ? t("not done") : r.value !== undefined ? `${r.value} ${r.unit || ""}` : ""]
    .filter(Boolean).join(" — ");
  const again = async () => {
    const { id: _id, observed_at: _at, ...rest } = r;
    const copy = { ...rest, id: uuid(), observed_at: new Date().toISOString() };
    await app.queue.add(copy);
    carryOver(copy);
    await refreshLocal();
    app.lastSave = { id: copy.id, started: performance.now(), undo: copy };
    announce(t("Logged again: %(what)s.", { what }));
    render();
    app.syncer.run();
  };
  // Offered while the copy is on the walk, synced or not: a synced one goes by a queued delete.
  const undo = app.lastSave && app.lastSave.undo && records.some((e) => e.record.id === app.lastSave.undo.id)
    ? h("button", { type: "button", class: "button", onclick: async () => {
      await app.queue.remove(app.lastSave.undo);
      app.lastSave = null;
      await refreshLocal();
      announce(t("Undone."));
      render();
      app.syncer.run();
    } }, t("Undo")) : null;
  return h("div", { class: "same-again" },
    h("button", { type: "button", class: "button primary", onclick: again }, h("span", { "aria-hidden": "true" }, "↻ "), t("Same again: %(what)s", { what })), undo);
}

export async function viewWalk(walkId) {
  const [ctx, saydo] = await Promise.all([walkContext(walkId, { toCheck: true }), loadSaydo()]);
  if (!ctx) return [h("h1", {}, t("Walk not found")), h("p", { class: "empty" }, t("This walk is not on this phone.")), link("/app", t("← Walks"))];
  // What concerns this walk: its statements, and statements its facts contradict.
  const here = new Set(ctx.ofWalk.map(({ record }) => record.id));
  ctx.hints = hints(ctx.site.id, ctx.byId)
    .filter((x) => here.has(x.statement.id) || x.evidence.some((id) => here.has(id)));
  ctx.mine = ctx.walkState !== "server" || !ctx.walk.observer || ctx.walk.observer === app.me.label || app.me.role === "admin";
  const records = ctx.ofWalk.filter(({ record }) => record.type !== "contradiction")
    .sort((a, b) => String(b.record.observed_at).localeCompare(String(a.record.observed_at)));
  const counts = ["place", "thing", "fact", "statement"].map((k) => COUNTS[k](records.filter((e) => e.record.type === k).length));
  const unsynced = records.filter((e) => e.state === "pending" || e.state === "rejected").length;
  const newGap = app.newGap;
  app.newGap = null;
  const finished = ctx.walk.status === "finished";
  return [
    h("p", { class: "back" }, link("/app", t("← Walks"))),
    toCheckPanel(ctx, ctx.checks, saydo.topicKey),
    h("header", { class: "walk-head" },
      h("p", { class: "muted" }, [ctx.site.name, day(ctx.walk.started_at, ctx.zone)].filter(Boolean).join(" · ")),
      h("h1", {}, ctx.walk.title, " ", syncMark(ctx.walkState), finished ? h("span", { class: "badge" }, t("finished")) : null),
      walkBanner(ctx.walk, app.walks),
      worksCouncilBanner(ctx.site),
      ctx.walk.purpose ? h("p", { class: "purpose" }, ctx.walk.purpose) : null,
      h("p", { class: "counts" }, counts.join(" · "), unsynced ? " · " + t("%(count)s not yet synced", { count: unsynced }) : "")),
    ctx.mine && !finished && planOf(ctx.walk)
      ? h("p", { class: "to-checklist" }, link(`/app/walks/${walkId}/checklist`,
        [h("span", { "aria-hidden": "true" }, "☑ "), t("Checklist")], "button primary block")) : null,
    sameAgain(ctx, records),
    ctx.hints.length
      ? h("details", { class: "gaps-panel", open: Boolean(newGap) },
        h("summary", {}, t("Say ≠ do") + " ", h("span", { class: "badge badge-gap" }, String(ctx.hints.length))),
        h("ul", { class: "list" }, ctx.hints.map((x) => hintItem(x, x.statement.id === newGap))))
      : null,
    h("section", { "aria-label": t("Timeline") }, records.length
      ? h("ol", { class: "timeline" }, records.map((e) => card(e, ctx)))
      : h("p", { class: "empty" }, t("Nothing logged yet. Start with the place you are standing at."))),
    ctx.mine ? h("div", { class: "walk-end" },
      finished ? link(`/app/walks/${walkId}/summary`, t("Walk summary"), "button block")
        : h("button", { type: "button", class: "button block", onclick: () => finish(ctx) }, t("Finish walk")),
      link(`/app/walks/${walkId}/edit/${walkId}`, t("Edit walk"), "button block")) : null,
    exportLinks(ctx),
    ctx.mine && !finished ? h("nav", { class: "actionbar", "aria-label": t("Add to this walk") },
      [["place", "◉", ADD_LABELS.place], ["thing", "▣", ADD_LABELS.thing], ["fact", "✓", ADD_LABELS.fact], ["statement", "❝", ADD_LABELS.statement]].map(([kind, icon, text]) =>
        h("a", { href: `/app/walks/${walkId}/new/${kind}`, class: `add add-${kind}`, "data-route": true },
          h("span", { "aria-hidden": "true" }, icon), text))) : null,
  ];
}

/** The walk as the server has it, as a file: plain downloads from the server's pages
 * (they need the network; a walk not yet synced is not there to export). */
function exportLinks(ctx) {
  if (ctx.walkState === "pending" || ctx.walkState === "rejected") return null;
  const base = `/walks/${ctx.walk.id}/export`;
  return h("section", { class: "card export-links", "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, t("Export")),
    h("p", { class: "hint" }, t("Downloads need a connection; records not yet synced are not in them.")),
    h("div", { class: "actions" },
      h("a", { href: `${base}.json`, class: "button small", download: "" }, t("Gemba JSON")),
      h("a", { href: `${base}.zip`, class: "button small", download: "" }, t("Zip with photos"))));
}

async function finish(ctx) {
  const w = ctx.walk;
  const record = { type: "walk", id: w.id, site: w.site, title: w.title, purpose: w.purpose, started_at: w.started_at,
    status: "finished", ended_at: new Date().toISOString() };
  for (const key of ["plan", "announced", "observer_visible", "calibrates"]) if (w[key] !== undefined && w[key] !== null) record[key] = w[key];
  if (!record.purpose) delete record.purpose;
  await app.queue.update(record);
  await refreshLocal();
  announce(t("Walk finished."));
  navigate(`/app/walks/${ctx.walk.id}/summary`);
  app.syncer.run();
}
