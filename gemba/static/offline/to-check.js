// "To check here": what the analysts asked for at the walk's site (needs observation, actions
// to verify, claims too thin to judge), first on the walk screen. The list is the server's
// (GET /api/v1/sites/<id>/to-check, kept by the worker and in localStorage for a walk started
// offline); whether an item is ticked is the phone's own: a fact of this walk on its topic,
// queued ones included. What the observer hides is hidden on this walk only, on this phone.

import { carried, carryOver } from "./drafts.js";
import { saidWords } from "./expired.js";
import { render } from "./router.js";
import { announce, app, cachedJSON, refreshLocal, requestPersistence } from "./state.js";
import { ngettext, t } from "./i18n.js";
import { h, uuid } from "./ui.js";
import { choiceLabel, factText } from "./vocabulary.js";

const LIMIT = 8;
const listKey = (siteId) => `gemba.toCheck.${app.me.id}.${siteId}`;
const hiddenKey = (walkId) => `gemba.toCheck.hidden.${app.me.id}.${walkId}`;

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null") || fallback;
  } catch {
    return fallback;
  }
}

function keep(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full: the panel still works for this screen.
  }
}

/** The site's list for this walk: the server's (or the worker's copy), else the last one this
 * phone read for the site, so a walk started with no network still shows what to check. */
export async function loadToCheck(siteId, walkId) {
  const body = await cachedJSON(`/api/v1/sites/${siteId}/to-check?walk=${walkId}`);
  if (body) {
    keep(listKey(siteId), { items: body.items, limit: body.limit });
    return { items: body.items, limit: body.limit || LIMIT };
  }
  const kept = read(listKey(siteId), null);
  return kept ? { items: kept.items || [], limit: kept.limit || LIMIT } : { items: [], limit: LIMIT };
}

const foldedKey = (walkId) => `gemba.toCheck.folded.${app.me.id}.${walkId}`;
const hiddenOn = (walkId) => new Set(read(hiddenKey(walkId), []));

function setHidden(walkId, keys) {
  if (keys.size) keep(hiddenKey(walkId), [...keys]);
  else localStorage.removeItem(hiddenKey(walkId));
}

/** One tap: a behaviour seen done or not done on the item's topic, queued like any fact, at
 * the place the observer last stood; "Same again" then offers its Undo. */
async function logSeen(ctx, item, performed) {
  const record = { type: "fact", id: uuid(), walk: ctx.walk.id, topic: item.topic,
    text: factText(item.topic, performed ? "done" : "not_done"), performed, observed_at: new Date().toISOString() };
  const { place } = carried(ctx.walk.id);
  if (place && ctx.places.some((p) => p.id === place)) record.place = place;
  await app.queue.add(record);
  requestPersistence();
  await refreshLocal();
  app.lastSave = { id: record.id, started: performance.now(), undo: record };
  announce(t("Logged: %(what)s.", { what: record.text }));
  render();
  app.syncer.run();
}

/** The fact form, starting on the item's topic (the place and persona carry over as ever). */
function startOnTopic(ctx, item) {
  const now = carried(ctx.walk.id);
  carryOver({ type: "fact", walk: ctx.walk.id, topic: item.topic, place: now.place, persona: now.persona });
}

function actions(ctx, item) {
  const out = [];
  if (ctx.mine && ctx.walk.status !== "finished") {
    if (item.claim && item.claim.frequency) {
      out.push(
        h("button", { type: "button", class: "button tc-seen tc-done", onclick: () => logSeen(ctx, item, true) },
          h("span", { "aria-hidden": "true" }, "✓ "), choiceLabel("outcome", "done")),
        h("button", { type: "button", class: "button tc-seen tc-not-done", onclick: () => logSeen(ctx, item, false) },
          h("span", { "aria-hidden": "true" }, "✗ "), choiceLabel("outcome", "not_done")));
    } else {
      out.push(h("a", { href: `/app/walks/${ctx.walk.id}/new/fact`, class: "button tc-seen", "data-route": true,
        onclick: () => startOnTopic(ctx, item) }, t("Log a fact")));
    }
  }
  return out.length ? h("div", { class: "tc-actions" }, out) : null;
}

function hideButton(ctx, item) {
  return h("button", { type: "button", class: "button small tc-hide", "aria-label": t("Hide “%(topic)s” on this walk", { topic: item.topic }),
    onclick: () => {
      setHidden(ctx.walk.id, hiddenOn(ctx.walk.id).add(item.key));
      announce(t("Hidden on this walk: %(topic)s.", { topic: item.topic }));
      render();
    } }, t("Hide"));
}

function card(ctx, item, logged) {
  const said = item.kind === "verify_action" ? h("p", { class: "tc-what" }, h("strong", {}, item.what))
    : h("p", { class: "tc-what" }, item.expired_at ? h("span", { class: "muted expired" }, saidWords({ ...item, text: item.what }, ctx.zone)) : `“${item.what}”`,
      item.said_by ? ` — ${item.said_by}` : "");
  return h("li", { class: `tc-item tc-${item.kind}${logged ? " is-ticked" : ""}`, "data-key": item.key },
    // Hide sits at the top, away from the answers: a thumb reaching for "Not done" never hides.
    h("div", { class: "tc-head" },
      h("p", {}, h("span", { class: "tc-kind" }, item.label), " ", h("span", { class: "topic" }, item.topic)),
      hideButton(ctx, item)),
    said,
    item.note ? h("p", { class: "tc-note" }, h("span", { class: "tc-note-label" }, t("Note:") + " "), item.note) : null,
    h("p", { class: "tc-decide" }, h("strong", {}, item.decide), item.why ? h("span", { class: "tc-why" }, ` (${item.why})`) : null),
    logged ? h("p", { class: "tc-ticked" }, h("span", { "aria-hidden": "true" }, "✓ "), t("Logged on this walk: %(facts)s", { facts: ngettext("%(num)s fact", "%(num)s facts", logged) })) : null,
    actions(ctx, item));
}

/** The panel, or nothing when the analysts asked for nothing here. `topicKey` matches topics
 * as the server does (case and spaces ignored). */
export function toCheckPanel(ctx, list, topicKey) {
  if (!list.items.length) return null;
  const hidden = hiddenOn(ctx.walk.id);
  const logged = new Map();
  for (const { record } of ctx.ofWalk) {
    if (record.type !== "fact" || !record.topic) continue;
    const key = topicKey(record.topic);
    logged.set(key, (logged.get(key) || 0) + 1);
  }
  const left = list.items.filter((item) => !hidden.has(item.key));
  const shown = left.slice(0, list.limit);
  const hiddenHere = list.items.length - left.length;
  const ticked = shown.filter((item) => logged.get(topicKey(item.topic))).length;
  const unhide = () => {
    setHidden(ctx.walk.id, new Set());
    announce(t("Hidden items shown again."));
    render();
  };
  // Folded or open as the observer left it on this walk: a save re-draws the screen.
  const folded = read(foldedKey(ctx.walk.id), false);
  const ontoggle = (event) => {
    if (event.target.open) localStorage.removeItem(foldedKey(ctx.walk.id));
    else keep(foldedKey(ctx.walk.id), true);
  };
  return h("details", { class: "to-check", id: "to-check", open: !folded, ontoggle },
    h("summary", {}, h("h2", {}, t("To check here")),
      shown.length ? h("span", { class: `badge${ticked === shown.length ? " badge-done" : ""}` }, t("%(done)s of %(total)s logged", { done: ticked, total: shown.length })) : null),
    shown.length ? h("ol", { class: "tc-list" }, shown.map((item) => card(ctx, item, logged.get(topicKey(item.topic)) || 0))) : null,
    left.length > shown.length ? h("p", { class: "hint" }, t("%(count)s more after these.", { count: left.length - shown.length })) : null,
    hiddenHere ? h("p", { class: "tc-unhide" }, t("%(count)s hidden on this walk.", { count: hiddenHere }) + " ",
      h("button", { type: "button", class: "button small", onclick: unhide }, t("Show them"))) : null);
}
