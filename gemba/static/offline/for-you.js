// "For you" on the home: the notices the e-mails carry (every one decided for this user,
// whatever became of its mail), unread first. The list is kept on the phone so the home
// shows it offline; a notice opened offline is read on the phone at once and told to the
// server when the network is back.

import { announce, app, cachedJSON } from "./state.js";
import { t } from "./i18n.js";
import { day, h, time } from "./ui.js";

const NOTICES = "/api/v1/notices";
const SHOWN = 5; // the rest wait under "Older notices": the due walks stay near the top

const listKey = () => `gemba.forYou.${app.me.id}`;
const unsentKey = () => `gemba.forYou.unsent.${app.me.id}`;

function readJSON(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null") || fallback;
  } catch {
    return fallback;
  }
}

/** Ids read on this phone that the server has not confirmed yet. */
const unsent = () => new Set(readJSON(unsentKey(), []));

function saveUnsent(ids) {
  localStorage.setItem(unsentKey(), JSON.stringify([...ids]));
}

/** The notices, unread first (newest first within each), with reads made here applied. */
export async function loadForYou() {
  const body = (await cachedJSON(NOTICES)) || readJSON(listKey(), { notices: [] });
  const here = unsent();
  // In place: the read kept in memory for a minute must not bring a read notice back.
  for (const n of body.notices) n.read = n.read || here.has(n.id);
  localStorage.setItem(listKey(), JSON.stringify(body));
  return unreadFirst(body.notices);
}

const unreadFirst = (notices) => [...notices.filter((n) => !n.read), ...notices.filter((n) => n.read)];

/** The "For you" section, or nothing when there is no notice. */
export function forYouSection(notices) {
  if (!notices.length) return null;
  const unread = notices.filter((n) => !n.read).length;
  const section = h("section", { class: "for-you", "aria-labelledby": "for-you" },
    h("h2", { id: "for-you" }, t("For you"), " ",
      unread ? h("span", { class: "badge badge-unread", "aria-label": t("%(count)s unread", { count: unread }) }, String(unread)) : null));
  const rows = (list) => h("ul", { class: "cards for-you-list" }, list.map((n) => row(n, section, notices)));
  section.append(rows(notices.slice(0, SHOWN)));
  if (notices.length > SHOWN) {
    section.append(h("details", { class: "for-you-more" },
      h("summary", {}, t("Older notices (%(count)s)", { count: notices.length - SHOWN })), rows(notices.slice(SHOWN))));
  }
  return section;
}

function row(notice, section, notices) {
  const when = `${day(notice.created_at)}, ${time(notice.created_at)}`;
  return h("li", { class: `card for-you-card${notice.read ? "" : " is-unread"}` },
    h("button", { type: "button", class: "for-you-open", "data-notice": String(notice.id),
      onclick: () => open(notice, section, notices) },
    h("strong", {}, notice.read ? null : h("span", { class: "for-you-new" }, t("New:") + " "), notice.subject),
    h("span", { class: "for-you-body" }, notice.body),
    h("span", { class: "muted" }, when)));
}

/** A tap: read on the phone now, told to the server (now or when back online), then its link. */
async function open(notice, section, notices) {
  const ids = unsent();
  ids.add(notice.id);
  saveUnsent(ids);
  notice.read = true;
  const kept = readJSON(listKey(), { notices: [] });
  for (const n of kept.notices) if (n.id === notice.id) n.read = true;
  localStorage.setItem(listKey(), JSON.stringify(kept));
  const fresh = forYouSection(unreadFirst(notices));
  if (section.isConnected && fresh) section.replaceWith(fresh);
  await sendReads();
  if (!notice.link) return;
  // A server page cannot open with no network: say so rather than show the browser's error.
  if (navigator.onLine) location.assign(notice.link);
  else announce(t("Read. “%(subject)s” opens when the network is back.", { subject: notice.subject }));
}

/** Tell the server of the reads made on this phone; those it did not take wait for the next try. */
export async function sendReads() {
  if (!app.me || !navigator.onLine) return;
  const ids = unsent();
  if (!ids.size) return;
  const done = new Set();
  try {
    const me = await fetch("/app/me", { cache: "no-store", credentials: "same-origin" });
    if (!me.ok) return;
    const { id, csrf_token: csrf } = await me.json();
    if (String(id) !== String(app.me.id)) return;
    for (const notice of ids) {
      const response = await fetch(`${NOTICES}/${notice}/read`, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
      });
      // 404: not this user's, or gone; sending it again would never help.
      if (response.ok || response.status === 404) done.add(notice);
    }
  } catch {
    // No network after all: kept for the "online" event.
  } finally {
    saveUnsent([...unsent()].filter((n) => !done.has(n))); // a tap made meanwhile stays
  }
}

window.addEventListener("online", () => { sendReads(); });
