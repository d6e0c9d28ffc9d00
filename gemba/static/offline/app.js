// Gemba offline capture: walk list, walk timeline, capture forms and the sync ledger.
// Everything the observer logs goes to the IndexedDB queue first and reaches the server
// through sync.js; the page works the same with or without a network.

import { openDatabase } from "./db.js";
import { Queue } from "./queue.js";
import { Syncer } from "./sync.js";
import { ask, bytes, day, download, h, plural, time, uuid } from "./ui.js";

// Loaded on first use, so the first screen downloads only what it shows.
let saydo = null;
const loadSaydo = async () => (saydo ||= await import("./saydo.js"));

const USER_KEY = "gemba.offline.user";
const LABELS = { walk: "Walk", place: "Place", thing: "Thing", fact: "Fact", statement: "Said", photo: "Photo" };
const main = document.getElementById("main");
const statusBar = document.getElementById("status");
const app = { me: null, queue: null, syncer: null, items: [], synced: [], sites: [], walks: [], gaps: new Map(), flash: null, offline: false };

// -- server reads (through the service worker: network first, the phone's copy offline) --

async function getJSON(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    return await response.json();
  } catch {
    return null;
  }
}

async function loadLists() {
  const [sites, walks] = await Promise.all([getJSON("/api/v1/sites?limit=200"), getJSON("/api/v1/walks?limit=200")]);
  if (sites) app.sites = sites.items;
  if (walks) app.walks = walks.items;
}

async function loadSite(siteId) {
  const [doc, gaps, topics] = await Promise.all([
    getJSON(`/api/v1/sites/${siteId}/export`),
    getJSON(`/api/v1/gaps?site=${siteId}&limit=200`),
    getJSON(`/api/v1/sites/${siteId}/topics?limit=200`),
  ]);
  if (gaps) for (const gap of gaps.items) app.gaps.set(gap.statement, gap);
  return { records: doc ? doc.records : [], topics: topics ? topics.items.map((t) => t.name) : [] };
}

// -- the phone's records: queued ones over confirmed ones over the server's --------------

async function refreshLocal() {
  [app.items, app.synced] = await Promise.all([app.queue.items(), app.queue.syncedRecords()]);
  const waiting = app.items.length;
  const count = document.getElementById("pending-count");
  count.textContent = waiting ? String(waiting) : "";
  count.hidden = !waiting;
  renderStatus();
}

function merged(serverRecords) {
  const byId = new Map();
  for (const r of serverRecords) byId.set(r.id, { record: r, state: "server" });
  for (const r of app.synced) byId.set(r.id, { record: r, state: "synced" });
  for (const item of app.items) {
    if (item.kind === "record") byId.set(item.id, { record: item.record, state: item.state, error: item.error });
  }
  return byId;
}

function walkSite(walkId, byId) {
  const local = byId.get(walkId);
  if (local) return local.record.site;
  const summary = app.walks.find((w) => w.id === walkId);
  return summary ? summary.site : null;
}

// -- "contradicts …" on the phone: the server's rules over what the phone holds ----------

function hints(siteId, byId) {
  const { judge, topicKey } = saydo; // loaded by the views that call this
  const onSite = [...byId.values()].filter(({ record }) => record.walk && walkSite(record.walk, byId) === siteId);
  const facts = new Map();
  for (const entry of onSite) {
    if (entry.record.type !== "fact" || !entry.record.topic) continue;
    const key = topicKey(entry.record.topic);
    if (!facts.has(key)) facts.set(key, []);
    facts.get(key).push(entry);
  }
  const out = [];
  for (const entry of onSite) {
    const s = entry.record;
    if (s.type !== "statement") continue;
    const evidence = s.topic ? facts.get(topicKey(s.topic)) || [] : [];
    const links = [...byId.values()].filter(({ record }) => record.type === "contradiction" && record.statement === s.id)
      .map(({ record }) => ({ fact_id: record.fact, note: record.note }));
    const verdict = s.claim || links.length
      ? judge(s.claim || null, evidence.map(({ record: f }) => ({ fact_id: f.id, performed: f.performed, value: f.value, unit: f.unit })), links)
      : null;
    const server = app.gaps.get(s.id);
    const onPhone = [entry, ...evidence].some((e) => e.state !== "server" && e.state !== "synced");
    if (verdict && verdict.contradicted && (onPhone || !server || !server.contradicted)) {
      out.push({ statement: s, explanation: verdict.explanation, evidence: verdict.evidence, confirmed: false });
    } else if (server && server.contradicted) {
      out.push({ statement: s, explanation: server.explanation, evidence: server.evidence, confirmed: true });
    }
  }
  return out;
}

function hintItem(hint) {
  const s = hint.statement;
  return h("li", { class: "gap-item" },
    h("strong", {}, `Contradicts: “${s.text}”${s.speaker ? ` — ${s.speaker}` : ""}`),
    h("span", { class: "explain" }, hint.explanation),
    h("span", { class: hint.confirmed ? "badge badge-done" : "badge badge-phone" },
      hint.confirmed ? "confirmed by the server" : "on this phone"));
}

// -- views ---------------------------------------------------------------------------------

function link(href, text, cls = "") {
  return h("a", { href, class: cls, "data-route": true }, text);
}

function syncMark(state, error) {
  if (state === "pending") return h("span", { class: "badge badge-unsynced" }, "not yet synced");
  if (state === "rejected") return h("span", { class: "badge badge-gap", title: error || "" }, "rejected");
  return null;
}

async function viewWalks() {
  await loadLists();
  const byId = merged([]);
  const rows = new Map();
  for (const w of app.walks) rows.set(w.id, { ...w, state: byId.has(w.id) ? byId.get(w.id).state : "server" });
  for (const { record, state } of byId.values()) {
    if (record.type !== "walk" || rows.has(record.id)) continue;
    const site = app.sites.find((s) => s.id === record.site);
    rows.set(record.id, { ...record, site_name: site ? site.name : "", state, observer: app.me.label });
  }
  const waitingBy = (walkId) => app.items.filter((i) => (i.record && (i.record.walk === walkId || i.id === walkId)) || i.walk === walkId).length;
  const walks = [...rows.values()].sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Walks"), link("/app/walks/new", "+ Start a walk", "button primary")),
    walks.length
      ? h("ul", { class: "cards" }, walks.map((w) => {
        const waiting = waitingBy(w.id);
        return h("li", { class: "card link-card" }, h("a", { href: `/app/walks/${w.id}`, "data-route": true },
          h("strong", {}, w.title),
          h("span", { class: "muted" }, `${w.site_name || ""} · ${day(w.started_at)} · ${w.observer || ""}`),
          h("span", { class: "meta" }, syncMark(w.state), waiting ? h("span", { class: "badge badge-unsynced" }, `${waiting} waiting`) : null,
            w.status === "finished" ? h("span", { class: "badge" }, "finished") : null)));
      }))
      : h("p", { class: "empty" }, app.offline ? "No walks on this phone yet. Start one: it is sent when the network is back." : "No walks yet."),
  ];
}

async function walkContext(walkId) {
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

async function viewWalk(walkId) {
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

function gpsWarn() {
  const own = Number(localStorage.getItem(`gemba.gpsWarn.${app.me.id}`));
  return own > 0 ? own : (app.me.settings && app.me.settings.gps_warn_m) || 50;
}

async function viewForm(kind, walkId, existing) {
  const [{ buildForm, TITLES }] = await Promise.all([import("./forms.js"), loadSaydo()]);
  let ctx = { places: [], things: [], topics: [], speakers: [], units: [], sites: app.sites, gpsWarn: gpsWarn() };
  if (kind === "walk") {
    await loadLists();
    ctx.sites = app.sites;
    if (!ctx.sites.length) return [h("h1", {}, "Start a walk"), h("p", { class: "empty" }, "No sites on this phone yet. Open the app online once, or ask an analyst to add a site.")];
  } else {
    const walk = await walkContext(walkId);
    if (!walk) return [h("h1", {}, "Walk not found"), link("/app", "← Walks")];
    ctx = { ...ctx, ...walk };
  }
  const record = existing || { id: uuid() };
  ctx.editing = Boolean(existing);
  const form = buildForm(kind, record, ctx);
  form.element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { record: out, errors } = form.read();
    if (errors) {
      form.showErrors(errors);
      return;
    }
    if (existing) await app.queue.update(out);
    else await app.queue.add(out, form.photos);
    requestPersistence();
    await refreshLocal();
    if (out.type === "fact" || out.type === "statement") app.flash = await flashFor(out, ctx);
    navigate(kind === "walk" ? `/app/walks/${out.id}` : `/app/walks/${out.walk}`);
    app.syncer.run();
  });
  const back = kind === "walk" ? link("/app", "← Walks") : link(`/app/walks/${walkId}`, `← ${ctx.walk.title}`);
  return [h("p", {}, back), h("section", { class: "card narrow" },
    h("h1", {}, `${existing ? "Edit" : kind === "walk" ? "Start a" : "Add"} ${TITLES[kind]}`),
    existing && app.items.find((i) => i.id === existing.id && i.state === "rejected")
      ? h("p", { class: "flash flash-error" }, `The server refused it: ${app.items.find((i) => i.id === existing.id).error}`) : null,
    form.element)];
}

async function flashFor(record, ctx) {
  const byId = merged([...ctx.byId.values()].filter((e) => e.state === "server").map((e) => e.record));
  const found = hints(ctx.site.id, byId).filter((x) => x.evidence.includes(record.id) || x.statement.id === record.id);
  if (!found.length) return null;
  const hint = found[0];
  const s = hint.statement;
  return h("div", { class: "flash flash-gap" },
    h("strong", {}, `Contradicts: “${s.text}”${s.speaker ? ` — ${s.speaker}` : ""}`),
    h("span", {}, hint.explanation), h("span", {}, "On this phone; the server confirms it on sync."));
}

async function viewEdit(recordId) {
  const item = app.items.find((i) => i.id === recordId && i.kind === "record");
  if (!item) return [h("h1", {}, "Nothing to edit"), h("p", { class: "empty" }, "Only records not yet on the server are edited here."), link("/app/ledger", "← Sync ledger")];
  return viewForm(item.type, item.record.walk, item.record);
}

function describe(item) {
  if (item.kind === "photo") return `Photo for a ${item.recordType}, ${item.width}×${item.height}, ${bytes(item.size)}`;
  const r = item.record;
  return r.title || r.name || r.text || r.id;
}

async function viewLedger() {
  const waitingFor = new Set(app.items.filter((i) => i.kind === "record").map((i) => i.id));
  const s = app.syncer;
  const persisted = navigator.storage && navigator.storage.persisted ? await navigator.storage.persisted() : false;
  const estimate = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : null;
  const threshold = h("input", { type: "number", id: "gps-warn", min: 1, max: 5000, value: gpsWarn(), inputmode: "numeric" });
  threshold.addEventListener("change", () => localStorage.setItem(`gemba.gpsWarn.${app.me.id}`, String(Number(threshold.value) || "")));
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Sync ledger"),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "button primary", id: "sync-now", onclick: () => app.syncer.run() }, "Sync now"),
        h("button", { type: "button", class: "button", id: "export-queue", onclick: exportQueue, disabled: !app.items.length }, "Export queue"))),
    h("p", { class: "muted" }, app.items.length
      ? `${plural(app.items.length, "item")} on this phone wait for the server. ${s.message || ""}`
      : "Everything on this phone is on the server."),
    app.items.length
      ? h("ol", { class: "ledger" }, app.items.map((item) => {
        const blocked = item.kind === "photo" && waitingFor.has(item.record);
        const state = item.state === "rejected" ? "rejected" : blocked ? "waits for its record" : "waiting";
        return h("li", { class: `ledger-item state-${item.state}` },
          h("div", { class: "record-head" }, h("span", { class: "kind" }, LABELS[item.type] || item.type),
            h("span", { class: item.state === "rejected" ? "badge badge-gap" : "badge badge-unsynced" }, state)),
          h("p", { class: "record-main" }, describe(item)),
          h("p", { class: "meta" }, `queued ${time(item.createdAt)} · ${item.attempts ? `tried ${item.attempts === 1 ? "once" : `${item.attempts} times`}` : "not sent yet"}`),
          item.error ? h("p", { class: item.state === "rejected" ? "error" : "hint" }, `Last error: ${item.error}`) : null,
          item.state === "rejected" ? h("div", { class: "record-actions" },
            item.kind === "record" ? link(`/app/edit/${item.id}`, "Edit") : null,
            h("button", { type: "button", class: "link", onclick: async () => { await app.queue.retry(item.id); await refreshLocal(); render(); app.syncer.run(); } }, "Send again"),
            h("button", { type: "button", class: "link", onclick: () => discard(item) }, "Discard")) : null);
      }))
      : null,
    h("section", { class: "card" }, h("h2", {}, "On this phone"),
      h("p", {}, persisted ? "Storage is persistent: the browser will not clear the queue to free space."
        : "Storage is best-effort: keep the app installed and sync often."),
      estimate ? h("p", { class: "muted" }, `Using ${bytes(estimate.usage || 0)}.`) : null,
      h("div", { class: "field" }, h("label", { for: "gps-warn" }, "Warn when GPS accuracy is worse than (metres)"), threshold)),
  ];
}

async function discard(item) {
  const choice = await ask("Discard this item?", "It was refused by the server and is not saved anywhere else. Export the queue first to keep a copy.",
    [{ label: "Discard", value: "discard", class: "danger" }]);
  if (choice !== "discard") return;
  await app.queue.discard(item.id);
  await refreshLocal();
  render();
}

// -- export: the queue as a Gemba JSON file (and its photos as a zip) -----------------------

async function exportQueue() {
  const { zip } = await import("./zip.js");
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const records = app.items.filter((i) => i.kind === "record").map((i) => i.record);
  download(new Blob([JSON.stringify({ format: "gemba/v1", records }, null, 1)], { type: "application/json" }),
    `gemba-queue-${stamp}.json`);
  const photos = app.items.filter((i) => i.kind === "photo");
  if (!photos.length) return;
  const files = [];
  const index = [];
  for (const photo of photos) {
    const blob = await app.queue.blob(photo.id);
    if (!blob) continue;
    files.push({ name: `photos/${photo.id}.jpg`, data: new Uint8Array(await blob.arrayBuffer()) });
    index.push({ id: photo.id, record: photo.record, file: `photos/${photo.id}.jpg` });
  }
  files.unshift({ name: "photos.json", data: new TextEncoder().encode(JSON.stringify({ format: "gemba/v1-photos", photos: index }, null, 1)) });
  download(zip(files), `gemba-queue-photos-${stamp}.zip`);
}

// -- shell: routing, status, session, service worker ---------------------------------------

const ROUTES = [
  [/^\/app\/?$/, () => viewWalks()],
  [/^\/app\/walks\/new$/, () => viewForm("walk")],
  [/^\/app\/walks\/([\w-]+)$/, (m) => viewWalk(m[1])],
  [/^\/app\/walks\/([\w-]+)\/new\/(place|thing|fact|statement)$/, (m) => viewForm(m[2], m[1])],
  [/^\/app\/edit\/([\w-]+)$/, (m) => viewEdit(m[1])],
  [/^\/app\/ledger$/, () => viewLedger()],
];

let renderSerial = 0;
async function render() {
  const serial = ++renderSerial;
  const path = location.pathname;
  for (const a of document.querySelectorAll(".nav a")) {
    if (a.getAttribute("href") === path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  const content = route ? await route[1](path.match(route[0])) : [h("h1", {}, "Not found"), link("/app", "← Walks")];
  if (serial !== renderSerial) return; // a newer navigation won
  document.body.classList.toggle("has-actionbar", /^\/app\/walks\/[\w-]+$/.test(path) && path !== "/app/walks/new");
  main.replaceChildren(...[content].flat().filter(Boolean));
  main.dataset.ready = path;
}

function navigate(path) {
  if (path !== location.pathname) history.pushState(null, "", path);
  window.scrollTo(0, 0);
  render();
}

function renderStatus() {
  const s = app.syncer;
  const waiting = app.items.length;
  const rejected = app.items.filter((i) => i.state === "rejected").length;
  let text = navigator.onLine ? "Online" : "Offline";
  if (s && s.state === "syncing") text += " · sending…";
  else if (waiting) text += ` · ${plural(waiting, "item")} not yet synced`;
  else text += " · all synced";
  if (rejected) text += ` · ${rejected} rejected`;
  if (s && s.state === "waiting" && s.nextAt) text += ` · next try at ${new Date(s.nextAt).toLocaleTimeString()}`;
  if (s && (s.state === "signed-out" || s.state === "wrong-user")) text += ` · ${s.message}`;
  if (statusBar.textContent !== text) statusBar.textContent = text; // a live region: speak changes only
  statusBar.className = `statusbar ${navigator.onLine ? "is-online" : "is-offline"}${rejected ? " has-rejected" : ""}`;
}

function requestPersistence() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
}

async function whoAmI() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch("/app/me", { cache: "no-store", credentials: "same-origin", signal: controller.signal });
    if (response.status === 401) return { signedOut: true };
    if (!response.ok) return { unreachable: true };
    return { me: await response.json() };
  } catch {
    return { unreachable: true };
  } finally {
    clearTimeout(timer);
  }
}

function signedOutView() {
  document.getElementById("footer").hidden = true;
  main.replaceChildren(h("h1", {}, "Log in to capture"),
    h("p", {}, "This phone keeps each user's unsynced records apart; log in to see and send yours."),
    h("a", { class: "button primary", href: "/login?next=/app" }, "Log in"));
  main.dataset.ready = "signed-out";
}

async function logout() {
  const waiting = app.items.length;
  if (waiting) {
    const choice = await ask("Items are not yet synced",
      `${plural(waiting, "item")} on this phone ${waiting === 1 ? "is" : "are"} not on the server yet. They stay on this phone for you, hidden from anyone else who logs in here, until you log in again and sync. Sync or export them first if you can.`,
      [{ label: "Sync now", value: "sync", class: "primary" }, { label: "Export queue", value: "export" },
        { label: "Log out anyway", value: "logout", class: "danger" }]);
    if (choice === "sync") return app.syncer.run();
    if (choice === "export") return exportQueue();
    if (choice !== "logout") return;
  }
  const fresh = await whoAmI();
  if (!fresh.me) {
    await ask("You are offline", "Logging out needs the network. Your records stay queued meanwhile.", []);
    return;
  }
  const form = new FormData();
  form.append("csrf_token", fresh.me.csrf_token);
  await fetch("/logout", { method: "POST", body: form, credentials: "same-origin" });
  localStorage.removeItem(USER_KEY);
  await clearDataCache();
  location.assign("/login");
}

function clearDataCache() {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    worker.postMessage({ type: "clear-data" }, [channel.port2]);
    setTimeout(resolve, 1000);
  });
}

function watchForUpdates(registration) {
  const banner = document.getElementById("update");
  const offer = (worker) => {
    if (!worker || !navigator.serviceWorker.controller) return; // the first install needs no reload
    banner.hidden = false;
    banner.querySelector("button").onclick = () => {
      app.reloading = true;
      worker.postMessage({ type: "skip-waiting" });
    };
  };
  offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => { if (worker.state === "installed") offer(worker); });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => { if (app.reloading) location.reload(); });
}

async function start() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(watchForUpdates).catch(() => {});
  }
  const answer = await whoAmI();
  let me = answer.me;
  const last = JSON.parse(localStorage.getItem(USER_KEY) || "null");
  if (answer.signedOut) return signedOutView();
  if (me) {
    if (last && String(last.id) !== String(me.id)) await clearDataCache();
    const { csrf_token: _, ...keep } = me;
    localStorage.setItem(USER_KEY, JSON.stringify(keep));
  } else if (last) {
    me = last; // offline: the last user who logged in here, who never logged out
    app.offline = true;
  } else {
    main.replaceChildren(h("h1", {}, "Offline"), h("p", {}, "Open the app once with a network to log in."));
    return;
  }
  app.me = me;
  document.getElementById("who").textContent = `${me.label} · ${me.role}`;
  document.getElementById("logout").addEventListener("click", logout);
  app.queue = new Queue(await openDatabase(me.id));
  app.syncer = new Syncer({
    queue: app.queue,
    userId: me.id,
    onEvent: async (event) => {
      if (event.type === "synced") for (const gap of event.gaps) app.gaps.set(gap.statement, gap);
      if (event.type === "state") renderStatus();
      else {
        await refreshLocal();
        if (!document.querySelector("form")) render();
      }
    },
  });
  await refreshLocal();
  if (app.items.length) requestPersistence();
  document.addEventListener("click", (event) => {
    const a = event.target.closest("a[data-route]");
    if (!a || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(a.getAttribute("href"));
  });
  window.addEventListener("popstate", render);
  window.addEventListener("online", () => { renderStatus(); app.syncer.online(); });
  window.addEventListener("offline", renderStatus);
  await render();
  app.syncer.run();
}

start();
