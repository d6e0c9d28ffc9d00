// Shared state of the offline app and what every screen reads: the server's lists (through
// the service worker), the phone's queued and confirmed records merged over them, the status
// bar, and the small pieces of markup the screens have in common.

import { ngettext, pt, t } from "./i18n.js";
import { h } from "./ui.js";

// The kinds of record as the timeline and the ledger name them.
export const LABELS = { walk: t("Walk"), place: t("Place"), thing: t("Thing"), fact: t("Fact"), statement: t("Said"), photo: t("Photo") };
// The add bar's four labels share a 390 px row: its catalogs mark where a long word may
// break (a soft hyphen), so "Gegen-stand" breaks there, with its hyphen, on every browser.
export const ADD_LABELS = { place: pt("add bar", "Place"), thing: pt("add bar", "Thing"), fact: pt("add bar", "Fact"), statement: pt("add bar", "Said") };
// The same as nouns in a sentence ("Photo for a fact").
export const NAMES = { walk: t("walk"), place: t("place"), thing: t("thing"), fact: t("fact"), statement: t("statement") };
export const main = document.getElementById("main");
const statusBar = document.getElementById("status");
export const app = { me: null, queue: null, syncer: null, items: [], synced: [], sites: [], walks: [], gaps: new Map(), notice: null, newGap: null, lastSave: null, offline: false };

// -- server reads (through the service worker: network first, the phone's copy offline) --

export async function getJSON(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    return await response.json();
  } catch {
    return null;
  }
}

// Server reads are kept in memory for a while: a save re-draws the walk from the phone's
// queue at once instead of waiting for the network; a sync clears them.
const FRESH_MS = 60 * 1000;
const reads = new Map();

export function cachedJSON(url) {
  const hit = reads.get(url);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.promise;
  const promise = getJSON(url).then((body) => {
    if (body === null) reads.delete(url);
    return body;
  });
  reads.set(url, { at: Date.now(), promise });
  return promise;
}

export function forgetReads() {
  reads.clear();
}

const LISTS_KEY = "gemba.offline.lists";

export async function loadLists() {
  const [sites, walks] = await Promise.all([cachedJSON("/api/v1/sites?limit=200"), cachedJSON("/api/v1/walks?limit=200")]);
  if (sites) app.sites = sites.items;
  if (walks) app.walks = walks.items;
  if (sites && walks) {
    localStorage.setItem(`${LISTS_KEY}.${app.me.id}`, JSON.stringify({ sites: app.sites, walks: app.walks }));
  } else if (!app.sites.length) {
    // No answer and no cached read: the lists this phone saw last (site names, zones).
    const kept = JSON.parse(localStorage.getItem(`${LISTS_KEY}.${app.me.id}`) || "null");
    if (kept) Object.assign(app, { sites: sites ? app.sites : kept.sites, walks: walks ? app.walks : kept.walks });
  }
}

export async function loadSite(siteId) {
  const [doc, gaps, topics] = await Promise.all([
    cachedJSON(`/api/v1/sites/${siteId}/export`),
    cachedJSON(`/api/v1/gaps?site=${siteId}&limit=200`),
    cachedJSON(`/api/v1/sites/${siteId}/topics?limit=200`),
  ]);
  if (gaps) for (const gap of gaps.items) app.gaps.set(gap.statement, gap);
  return { records: doc ? doc.records : [], topics: topics ? topics.items.map((t) => t.name) : [] };
}

/** The site's zone for showing times (the server's default zone when it has none). */
export function zoneOf(siteId) {
  const site = app.sites.find((s) => s.id === siteId);
  return (site && site.time_zone) || undefined;
}

// -- the phone's records: queued ones over confirmed ones over the server's --------------

export async function refreshLocal() {
  [app.items, app.synced] = await Promise.all([app.queue.items(), app.queue.syncedRecords()]);
  const waiting = app.items.length;
  const count = document.getElementById("pending-count");
  count.textContent = waiting ? String(waiting) : "";
  count.hidden = !waiting;
  renderStatus();
}

export function merged(serverRecords) {
  const byId = new Map();
  for (const r of serverRecords) byId.set(r.id, { record: r, state: "server" });
  for (const r of app.synced) byId.set(r.id, { record: r, state: "synced" });
  for (const item of app.items) {
    if (item.kind === "record") byId.set(item.id, { record: item.record, state: item.state, error: item.error });
  }
  // A queued delete hides the record now; so does a walk's delete hide its records.
  const gone = new Set(app.items.filter((i) => i.kind === "delete").map((i) => i.target));
  for (const [id, entry] of byId) if (gone.has(id) || gone.has(entry.record.walk)) byId.delete(id);
  return byId;
}

// -- pieces of the screens ----------------------------------------------------------------

export function link(href, text, cls = "") {
  // No class at all rather than an empty one: a plain link is sized as one (44 px on phones).
  return h("a", { href, class: cls || null, "data-route": true }, text);
}

export function syncMark(state, error) {
  if (state === "pending") return h("span", { class: "badge badge-unsynced" }, t("not yet synced"));
  if (state === "rejected") return h("span", { class: "badge badge-gap", title: error || "" }, t("rejected"));
  return null;
}

/** What a works-council site promises the people in its photos (the banner, the photo review). */
export function worksCouncilLine() {
  return t("Works-council site: faces are always blurred, originals are never kept, every photo view is logged.");
}

/** The works-council banner of a capture screen: null unless the site has one. */
export function worksCouncilBanner(site) {
  return site && site.works_council ? h("p", { class: "flash flash-info works-council", role: "note" }, worksCouncilLine()) : null;
}

export function gpsWarn() {
  const own = Number(localStorage.getItem(`gemba.gpsWarn.${app.me.id}`));
  return own > 0 ? own : (app.me.settings && app.me.settings.gps_warn_m) || 50;
}

export function renderStatus() {
  const s = app.syncer;
  const waiting = app.items.length;
  const rejected = app.items.filter((i) => i.state === "rejected").length;
  let text = navigator.onLine ? t("Online") : t("Offline");
  if (s && s.state === "syncing") text += " · " + t("sending…");
  else if (waiting) text += " · " + ngettext("%(num)s item not yet synced", "%(num)s items not yet synced", waiting);
  else text += " · " + t("all synced");
  if (rejected) text += " · " + t("%(count)s rejected", { count: rejected });
  if (s && s.state === "waiting" && s.nextAt) text += " · " + t("next try at %(time)s", { time: new Date(s.nextAt).toLocaleTimeString() });
  if (s && (s.state === "signed-out" || s.state === "wrong-user")) text += ` · ${s.message}`;
  if (app.notice && Date.now() - app.notice.at < 8000) text = `${app.notice.text} · ${text}`;
  if (statusBar.textContent !== text) statusBar.textContent = text; // a live region: speak changes only
  statusBar.className = `statusbar ${navigator.onLine ? "is-online" : "is-offline"}${rejected ? " has-rejected" : ""}`;
}

/** Say something once in the status line (a live region): a save, a gap, a delete. */
export function announce(text) {
  app.notice = { text, at: Date.now() };
  renderStatus();
}

export function requestPersistence() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
}
