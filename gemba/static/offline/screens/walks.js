// The walk list: the server's walks and the ones started on this phone, newest first.

import { app, link, loadLists, merged, syncMark, zoneOf } from "../state.js";
import { day, h } from "../ui.js";

export async function viewWalks() {
  await loadLists();
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
    h("div", { class: "page-head" }, h("h1", {}, "Walks"), link("/app/walks/new", "+ Start a walk", "button primary")),
    installOffer(),
    walks.length
      ? h("ul", { class: "cards" }, walks.map((w) => {
        const waiting = waitingBy(w.id);
        return h("li", { class: "card link-card" }, h("a", { href: `/app/walks/${w.id}`, "data-route": true },
          h("strong", {}, w.title),
          h("span", { class: "muted" }, [w.site_name, day(w.started_at, zoneOf(w.site)), w.observer].filter(Boolean).join(" · ")),
          h("span", { class: "meta" }, syncMark(w.state), waiting ? h("span", { class: "badge badge-unsynced" }, `${waiting} waiting`) : null,
            w.status === "finished" ? h("span", { class: "badge" }, "finished") : null)));
      }))
      : h("p", { class: "empty" }, app.offline ? "No walks on this phone yet. Start one: it is sent when the network is back." : "No walks yet."),
  ];
}

const DISMISSED = "gemba.install.dismissed";

/** Offer to put Gemba on the home screen: the browser's prompt, or how to do it on an iPhone. */
function installOffer() {
  const standalone = matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (standalone || localStorage.getItem(DISMISSED)) return null;
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent);
  if (!app.installPrompt && !ios) return null;
  const box = h("aside", { class: "install card", "aria-label": "Install Gemba" },
    h("p", {}, h("strong", {}, "Put Gemba on your home screen."), " It opens like an app and works without a network."));
  const dismiss = h("button", { type: "button", class: "button", onclick: () => { localStorage.setItem(DISMISSED, "1"); box.remove(); } }, "Not now");
  if (app.installPrompt) {
    box.append(h("div", { class: "install-actions" }, h("button", { type: "button", class: "button primary", onclick: async () => {
      app.installPrompt.prompt();
      await app.installPrompt.userChoice.catch(() => null);
      app.installPrompt = null;
      box.remove();
    } }, "Install Gemba"), dismiss));
  } else {
    box.append(h("p", { class: "hint" }, "In Safari, tap Share, then “Add to Home Screen”."), h("div", { class: "install-actions" }, dismiss));
  }
  return box;
}
