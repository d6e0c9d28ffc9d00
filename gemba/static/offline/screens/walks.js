// The walk list: the server's walks and the ones started on this phone, newest first.

import { app, link, loadLists, merged, syncMark } from "../state.js";
import { day, h } from "../ui.js";

export async function viewWalks() {
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
