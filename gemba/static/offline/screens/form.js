// The capture forms' screen: start a walk, add (or edit, until it is synced) a place, thing,
// fact or statement. The form itself is built by forms.js, loaded on first use.

import { hints, loadSaydo } from "../hints.js";
import { navigate } from "../router.js";
import { app, gpsWarn, link, loadLists, merged, refreshLocal, requestPersistence } from "../state.js";
import { h, uuid } from "../ui.js";
import { walkContext } from "./walk.js";

export async function viewForm(kind, walkId, existing) {
  const [{ buildForm, TITLES }] = await Promise.all([import("../forms.js"), loadSaydo()]);
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

export async function viewEdit(recordId) {
  const item = app.items.find((i) => i.id === recordId && i.kind === "record");
  if (!item) return [h("h1", {}, "Nothing to edit"), h("p", { class: "empty" }, "Only records not yet on the server are edited here."), link("/app/ledger", "← Sync ledger")];
  return viewForm(item.type, item.record.walk, item.record);
}
