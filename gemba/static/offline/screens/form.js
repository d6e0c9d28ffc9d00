// The capture forms' screen: start a walk, add or edit a place, thing, fact or statement (also
// one already on the server: the edit is queued like any record), or delete one. The form is
// built by forms.js; what is typed is kept as a draft until it is saved or discarded.

import { carried, carryOver, clearDraft, loadDraft, restoreDraft, saveDraft } from "../drafts.js";
import { hints, loadSaydo } from "../hints.js";
import { navigate } from "../router.js";
import { announce, app, gpsWarn, link, loadLists, refreshLocal, requestPersistence, worksCouncilBanner } from "../state.js";
import { t } from "../i18n.js";
import { ask, h, time, uuid } from "../ui.js";
import { walkContext } from "./walk.js";

export async function viewForm(kind, walkId, existing) {
  const [{ buildForm }] = await Promise.all([import("../forms.js"), loadSaydo()]);
  let ctx = { places: [], things: [], personas: [], statements: [], topics: [], speakers: [], units: [], sites: app.sites, gpsWarn: gpsWarn() };
  if (kind === "walk") {
    await loadLists();
    ctx.sites = app.sites;
    ctx.walks = app.walks;
    if (!ctx.sites.length) return [h("h1", {}, t("Start a walk")), h("p", { class: "empty" }, t("No sites on this phone yet. Open the app online once, or ask an analyst to add a site."))];
  } else {
    const walk = await walkContext(walkId);
    if (!walk) return [h("h1", {}, t("Walk not found")), link("/app", t("← Walks"))];
    ctx = { ...ctx, ...walk };
  }
  const draftKey = existing ? `edit:${existing.id}` : `new:${kind}:${walkId || ""}`;
  const draft = loadDraft(draftKey);
  const record = existing || { id: draft ? draft.id : uuid(), ...(kind === "walk" ? {} : startWith(kind, walkId, ctx)) };
  ctx.editing = Boolean(existing);
  const form = buildForm(kind, record, ctx);
  if (draft) restoreDraft(form.element, draft);
  // Once saved, the form is no draft: a field that still has the keyboard (iOS keeps it up
  // when Save is tapped) fires "change" as the form leaves the page, which must not keep it.
  const keep = () => { if (!form.saved) saveDraft(draftKey, form.element, record.id); };
  form.element.addEventListener("input", keep);
  form.element.addEventListener("change", keep);
  form.element.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(kind, form, existing, draftKey, ctx);
  });
  const back = kind === "walk" && !existing ? link("/app", t("← Walks")) : link(`/app/walks/${walkId}`, `← ${(ctx.walk || existing).title}`);
  const rejected = existing && app.items.find((i) => i.id === existing.id && i.state === "rejected");
  return [h("p", { class: "back" }, back), h("section", { class: "card narrow" },
    h("h1", {}, (existing ? EDIT : ADD)[kind]),
    kind !== "walk" ? worksCouncilBanner(ctx.site) : null,
    rejected ? h("p", { class: "flash flash-error" }, t("The server refused it: %(error)s", { error: rejected.error })) : null,
    draft ? draftNotice(draft, draftKey) : null,
    form.element,
    existing ? h("div", { class: "danger-zone" }, h("button", { type: "button", class: "button danger block",
      onclick: () => remove(existing, kind === "walk" ? "/app" : `/app/walks/${walkId}`) }, DELETE[kind])) : null)];
}

// The form's heading and its delete button, by kind of record.
const ADD = { walk: t("Start a walk"), place: t("Add place"), thing: t("Add thing"), fact: t("Add fact"), statement: t("Add statement") };
const EDIT = { walk: t("Edit walk"), place: t("Edit place"), thing: t("Edit thing"), fact: t("Edit fact"), statement: t("Edit statement") };
const DELETE = { walk: t("Delete walk"), place: t("Delete place"), thing: t("Delete thing"), fact: t("Delete fact"), statement: t("Delete statement") };
const SAVED = { walk: t("Walk saved on this phone."), place: t("Place saved on this phone."), thing: t("Thing saved on this phone."),
  fact: t("Fact saved on this phone."), statement: t("Statement saved on this phone.") };
const DELETED = { walk: t("Walk deleted."), place: t("Place deleted."), thing: t("Thing deleted."), fact: t("Fact deleted."), statement: t("Statement deleted.") };
const DELETE_WHAT = { walk: t("Delete this walk?"), place: t("Delete this place?"), thing: t("Delete this thing?"),
  fact: t("Delete this fact?"), statement: t("Delete this statement?") };

/** A new record starts where the last one was: its place, persona and (for facts) topic. */
function startWith(kind, walkId, ctx) {
  const last = carried(walkId);
  const known = (list, id) => (id && list.some((x) => x.id === id) ? id : undefined);
  const out = { place: known(ctx.places, last.place), persona: known(ctx.personas, last.persona) };
  if (kind === "fact") out.topic = last.topic;
  return out;
}

function draftNotice(draft, key) {
  return h("p", { class: "flash flash-info draft-notice", role: "status" },
    t("Draft from %(time)s restored.", { time: time(draft.at) }) + " ",
    h("button", { type: "button", class: "link", onclick: () => { clearDraft(key); location.reload(); } }, t("Discard draft")));
}

async function submit(kind, form, existing, draftKey, ctx) {
  const started = performance.now();
  const { record: out, extra, errors } = form.read();
  if (errors) {
    form.showErrors(errors);
    return;
  }
  form.saved = true;
  if (existing) await app.queue.update(out);
  else await app.queue.add(out, form.photos, extra);
  clearDraft(draftKey);
  carryOver(out);
  requestPersistence();
  await refreshLocal();
  app.lastSave = { id: out.id, started };
  if (out.type === "fact" || out.type === "statement") announceGap(out, ctx);
  else announce(SAVED[kind]);
  navigate(kind === "walk" ? `/app/walks/${out.id}` : `/app/walks/${out.walk}`);
  app.syncer.run();
}

/** Say once, in the status line, whether the record contradicts what was said. */
function announceGap(record, ctx) {
  const byId = new Map(ctx.byId);
  byId.set(record.id, { record, state: "pending" });
  const found = hints(ctx.site.id, byId).filter((x) => x.evidence.includes(record.id) || x.statement.id === record.id);
  app.newGap = found.length ? found[0].statement.id : null;
  announce(found.length
    ? t("Saved. Contradicts “%(statement)s”: %(explanation)s", { statement: found[0].statement.text, explanation: found[0].explanation })
    : SAVED[record.type]);
}

/** Delete a record: one never sent just leaves the phone; one on the server is a queued delete. */
export async function remove(record, after) {
  const choice = await ask(DELETE_WHAT[record.type],
    record.type === "walk" ? t("The walk and everything logged on it go. An admin can bring it back for a while.")
      : t("It goes from the walk, with its photos. An admin can bring it back for a while."),
    [{ label: t("Delete"), value: "delete", class: "danger" }]);
  if (choice !== "delete") return;
  await app.queue.remove(record);
  clearDraft(`edit:${record.id}`);
  await refreshLocal();
  announce(DELETED[record.type]);
  navigate(after);
  app.syncer.run();
}

export async function viewEdit(recordId, walkId) {
  const item = app.items.find((i) => i.id === recordId && i.kind === "record");
  if (item) return viewForm(item.type, item.record.walk || (item.type === "walk" ? item.id : walkId), item.record);
  if (walkId) {
    const ctx = await walkContext(walkId);
    const entry = ctx && ctx.byId.get(recordId);
    if (entry) return viewForm(entry.record.type, walkId, entry.record);
  }
  return [h("h1", {}, t("Nothing to edit")), h("p", { class: "empty" }, t("This record is not on this phone.")), link("/app", t("← Walks"))];
}
