// The end of a walk: what was logged, the gaps it flagged, and what still waits on this phone.

import { hintItem, hints, loadSaydo } from "../hints.js";
import { app, link } from "../state.js";
import { day, h, plural, time } from "../ui.js";
import { walkContext } from "./walk.js";

export async function viewSummary(walkId) {
  const [ctx] = await Promise.all([walkContext(walkId), loadSaydo()]);
  if (!ctx) return [h("h1", {}, "Walk not found"), link("/app", "← Walks")];
  const here = new Set(ctx.ofWalk.map(({ record }) => record.id));
  const found = hints(ctx.site.id, ctx.byId).filter((x) => here.has(x.statement.id) || x.evidence.some((id) => here.has(id)));
  const records = ctx.ofWalk.map((e) => e.record);
  const count = (type) => records.filter((r) => r.type === type).length;
  const waiting = app.items.filter((i) => i.id === walkId || (i.record && i.record.walk === walkId) || i.walk === walkId);
  const photos = waiting.filter((i) => i.kind === "photo").length;
  const w = ctx.walk;
  const when = w.ended_at ? `${day(w.started_at, ctx.zone)}, ${time(w.started_at, ctx.zone)}–${time(w.ended_at, ctx.zone)}` : day(w.started_at, ctx.zone);
  return [
    h("p", { class: "back" }, link(`/app/walks/${walkId}`, `← ${w.title}`)),
    h("h1", {}, "Walk summary"),
    h("p", { class: "muted" }, [ctx.site.name, when].filter(Boolean).join(" · ")),
    h("section", { class: "card", "aria-labelledby": "logged" },
      h("h2", { id: "logged" }, "Logged"),
      h("ul", { class: "summary-counts" },
        [["place", "place"], ["thing", "thing"], ["fact", "fact"], ["statement", "statement"]].map(([type, word]) =>
          h("li", {}, h("strong", {}, String(count(type))), ` ${plural(count(type), word).replace(/^\d+ /, "")}`)))),
    h("section", { class: "card", "aria-labelledby": "flagged" },
      h("h2", { id: "flagged" }, "Say ≠ do ", h("span", { class: "badge badge-gap" }, String(found.length))),
      found.length ? h("ul", { class: "list" }, found.map((x) => hintItem(x))) : h("p", { class: "empty" }, "No contradiction flagged on this walk.")),
    h("section", { class: "card", "aria-labelledby": "queued" },
      h("h2", { id: "queued" }, "Still on this phone"),
      waiting.length
        ? h("p", {}, `${plural(waiting.length - photos, "record")} and ${plural(photos, "photo")} wait for the network. They are sent on their own; `,
          link("/app/ledger", "see the sync ledger"), ".")
        : h("p", {}, "Everything is on the server.")),
    link("/app", "Back to walks", "button primary block"),
  ];
}
