// The walk list, the app's home: the observer's notices ("For you"), the walks of a plan
// due to them today and overdue (Start opens the checklist), then the server's walks and
// the ones started on this phone, newest first.

import { forYouSection, loadForYou, sendReads } from "../for-you.js";
import { loadDue, loadPlans, startPlanWalk } from "../plans.js";
import { navigate } from "../router.js";
import { announce, app, link, loadLists, merged, refreshLocal, requestPersistence, syncMark, zoneOf } from "../state.js";
import { t } from "../i18n.js";
import { day, h, time } from "../ui.js";

export async function viewWalks() {
  const [, due, plans, notices] = await Promise.all([loadLists(), loadDue(), loadPlans(), loadForYou()]);
  sendReads(); // reads made offline, if the network is back
  const byId = merged([]);
  const rows = new Map();
  const deleted = new Set(app.items.filter((i) => i.kind === "delete").map((i) => i.target));
  for (const w of app.walks) {
    if (!deleted.has(w.id)) rows.set(w.id, { ...w, state: byId.has(w.id) ? byId.get(w.id).state : "server" });
  }
  for (const { record, state } of byId.values()) {
    if (record.type !== "walk" || rows.has(record.id)) continue;
    const site = app.sites.find((s) => s.id === record.site);
    rows.set(record.id, { ...record, site_name: site ? site.name : "", state, observer: app.me.label });
  }
  const waitingBy = (walkId) => app.items.filter((i) => (i.record && (i.record.walk === walkId || i.id === walkId)) || i.walk === walkId).length;
  const walks = [...rows.values()].sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
  return [
    h("div", { class: "page-head" }, h("h1", {}, t("Walks")), link("/app/walks/new", t("+ Start a walk"), "button primary")),
    installOffer(),
    forYouSection(notices),
    dueSection("today", t("Your walks today"), due.today, plans),
    dueSection("overdue", t("Overdue"), due.overdue, plans),
    ...(due.today.length || due.overdue.length
      ? [due.fresh ? null : h("p", { class: "hint due-as-of" }, due.at ? t("As this phone last saw them at %(time)s.", { time: time(due.at) }) : t("As this phone last saw them.")),
        h("h2", { class: "section-title" }, t("All walks"))]
      : []),
    walks.length
      ? h("ul", { class: "cards" }, walks.map((w) => {
        const waiting = waitingBy(w.id);
        return h("li", { class: "card link-card" }, h("a", { href: `/app/walks/${w.id}`, "data-route": true },
          h("strong", {}, w.title),
          h("span", { class: "muted" }, [w.site_name, day(w.started_at, zoneOf(w.site)), w.observer].filter(Boolean).join(" · ")),
          h("span", { class: "meta" }, syncMark(w.state), waiting ? h("span", { class: "badge badge-unsynced" }, t("%(count)s waiting", { count: waiting })) : null,
            w.status === "finished" ? h("span", { class: "badge" }, t("finished")) : null)));
      }))
      : h("p", { class: "empty" }, app.offline ? t("No walks on this phone yet. Start one: it is sent when the network is back.") : t("No walks yet.")),
  ];
}

/** Walks of a plan due to this observer, each with a Start button a thumb cannot miss. */
function dueSection(key, title, entries, plans) {
  if (!entries.length) return null;
  return h("section", { class: `due due-${key}`, "aria-labelledby": `due-${key}` },
    h("h2", { id: `due-${key}` }, title, " ", h("span", { class: "badge" }, String(entries.length))),
    h("ul", { class: "cards due-list" }, entries.map((d) => {
      const site = app.sites.find((s) => s.id === d.site);
      const zone = zoneOf(d.site);
      const when = d.status === "overdue" ? t("Was due %(day)s, %(time)s", { day: day(d.due_at, zone), time: time(d.due_at, zone) }) : t("Due %(time)s", { time: time(d.due_at, zone) });
      return h("li", { class: "card due-card" },
        h("div", { class: "due-what" }, h("strong", {}, d.title),
          h("span", { class: "due-when" }, when), site ? h("span", { class: "muted" }, site.name) : null),
        h("button", { type: "button", class: "button primary due-start", "aria-label": t("Start %(title)s", { title: d.title }),
          onclick: (event) => start(event.currentTarget, d, plans.get(d.plan)) }, t("Start")));
    })));
}

/** One tap: the walk is queued (title, site, plan, started now) and its checklist opens. */
async function start(button, due, plan) {
  button.disabled = true; // a second tap must not start a second walk
  const walk = await startPlanWalk(due, plan);
  requestPersistence();
  await refreshLocal();
  announce(t("Walk started: %(title)s.", { title: walk.title }));
  navigate(`/app/walks/${walk.id}/checklist`);
  app.syncer.run();
}

const DISMISSED = "gemba.install.dismissed";

/** Offer to put Gemba on the home screen: the browser's prompt, or how to do it on an iPhone. */
function installOffer() {
  const standalone = matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (standalone || localStorage.getItem(DISMISSED)) return null;
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent);
  if (!app.installPrompt && !ios) return null;
  const box = h("aside", { class: "install card", "aria-label": t("Install Gemba") },
    h("p", {}, h("strong", {}, t("Put Gemba on your home screen.")), " ", t("It opens like an app and works without a network.")));
  const dismiss = h("button", { type: "button", class: "button", onclick: () => { localStorage.setItem(DISMISSED, "1"); box.remove(); } }, t("Not now"));
  if (app.installPrompt) {
    box.append(h("div", { class: "install-actions" }, h("button", { type: "button", class: "button primary", onclick: async () => {
      app.installPrompt.prompt();
      await app.installPrompt.userChoice.catch(() => null);
      app.installPrompt = null;
      box.remove();
    } }, t("Install Gemba")), dismiss));
  } else {
    box.append(h("p", { class: "hint" }, t("In Safari, tap Share, then “Add to Home Screen”.")), h("div", { class: "install-actions" }, dismiss));
  }
  return box;
}
