// The end of a walk: what was logged, the gaps it flagged, and what still waits on this phone.

import { hintItem, hints, loadSaydo } from "../hints.js";
import { app, link } from "../state.js";
import { ngettext, t } from "../i18n.js";
import { day, h, time } from "../ui.js";
import { COUNTS, walkContext } from "./walk.js";

export async function viewSummary(walkId) {
  const [ctx] = await Promise.all([walkContext(walkId), loadSaydo()]);
  if (!ctx) return [h("h1", {}, t("Walk not found")), link("/app", t("← Walks"))];
  const here = new Set(ctx.ofWalk.map(({ record }) => record.id));
  const found = hints(ctx.site.id, ctx.byId).filter((x) => here.has(x.statement.id) || x.evidence.some((id) => here.has(id)));
  const records = ctx.ofWalk.map((e) => e.record);
  const count = (type) => records.filter((r) => r.type === type).length;
  const waiting = app.items.filter((i) => i.id === walkId || (i.record && i.record.walk === walkId) || i.walk === walkId);
  const photos = waiting.filter((i) => i.kind === "photo").length;
  const recordCount = ngettext("%(num)s record", "%(num)s records", waiting.length - photos);
  const photoCount = ngettext("%(num)s photo", "%(num)s photos", photos);
  const w = ctx.walk;
  const when = w.ended_at ? `${day(w.started_at, ctx.zone)}, ${time(w.started_at, ctx.zone)}–${time(w.ended_at, ctx.zone)}` : day(w.started_at, ctx.zone);
  return [
    h("p", { class: "back" }, link(`/app/walks/${walkId}`, `← ${w.title}`)),
    h("h1", {}, t("Walk summary")),
    h("p", { class: "muted" }, [ctx.site.name, when].filter(Boolean).join(" · ")),
    h("section", { class: "card", "aria-labelledby": "logged" },
      h("h2", { id: "logged" }, t("Logged")),
      h("ul", { class: "summary-counts" },
        ["place", "thing", "fact", "statement"].map((type) =>
          h("li", {}, h("strong", {}, String(count(type))), ` ${COUNTS[type](count(type)).replace(/^\d+ /, "")}`)))),
    h("section", { class: "card", "aria-labelledby": "flagged" },
      h("h2", { id: "flagged" }, t("Say ≠ do") + " ", h("span", { class: "badge badge-gap" }, String(found.length))),
      found.length ? h("ul", { class: "list" }, found.map((x) => hintItem(x))) : h("p", { class: "empty" }, t("No contradiction flagged on this walk."))),
    h("section", { class: "card", "aria-labelledby": "queued" },
      h("h2", { id: "queued" }, t("Still on this phone")),
      waiting.length
        ? h("p", {}, t("%(records)s and %(photos)s wait for the network. They are sent on their own;", { records: recordCount, photos: photoCount }),
          " ", link("/app/ledger", t("see the sync ledger")), ".")
        : h("p", {}, t("Everything is on the server."))),
    link("/app", t("Back to walks"), "button primary block"),
  ];
}
