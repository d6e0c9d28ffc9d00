// The checklist of a plan walk (leader standard work): the plan's route as a strip of stops
// ("I'm here": the place of the next checks), then the plan's items in order. A behaviour is
// answered with one tap (done, not done, not seen), a measure with its number. Every answer is
// a fact with `plan_item`, queued like any record and shown at once; a changed answer updates
// the same fact. "Finish walk" with items unanswered asks once why, and records each of them
// as skipped with that reason.
//
// The screen draws once and then changes in place: a tap must not cost a number typed in
// another item, and answers in flight are kept over a re-draw until their write has landed.

import { carried, carryOver } from "../drafts.js";
import { loadPlans, planOf } from "../plans.js";
import { navigate, returnTo } from "../router.js";
import { announce, app, link, refreshLocal, requestPersistence, worksCouncilBanner } from "../state.js";
import { ngettext, t } from "../i18n.js";
import { day, h, uuid } from "../ui.js";
import { choiceLabel, factText } from "../vocabulary.js";
import { walkContext } from "./walk.js";

const ANSWERS = [
  // [answer, icon, label]: what one tap records on a behaviour item
  ["done", "✓", choiceLabel("outcome", "done")],
  ["not_done", "✗", choiceLabel("outcome", "not_done")],
  ["not_seen", "–", t("Not seen")],
];
// Words the app writes into a check fact, in the observer's language like the rest of it.
const NOT_SEEN = t("not seen today");
const SKIPPED = t("skipped");

/** The vocabulary's "{topic} — {outcome}" with words of our own as the outcome (factText
 * only takes the outcome choices, and lower-cases them: a reason keeps its capitals). */
const checkText = (topic, outcome) => factText(topic, "\u0000").replace("\u0000", () => outcome);

const sameName = (a, b) => a.trim().replace(/\s+/g, " ").toLowerCase() === b.trim().replace(/\s+/g, " ").toLowerCase();

// Answers written on this screen, by fact id, until a re-draw finds them in the queue: a
// re-draw (a sync ending) may have read the queue before their write landed.
const inFlight = new Map();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let writes = Promise.resolve();

/** Queue writes one after another, in the order of the taps. */
function write(fn) {
  writes = writes.then(fn).catch((error) => announce(t("Not saved on this phone: %(error)s", { error: error.message || error })));
  return writes;
}

// Which fact answers which item, per walk, kept on the phone: found again even if an edit of
// the fact in the full form leaves `plan_item` out.
const linksKey = (walkId) => `gemba.checks.${app.me.id}.${walkId}`;
function links(walkId) {
  try {
    return JSON.parse(localStorage.getItem(linksKey(walkId)) || "{}");
  } catch {
    return {};
  }
}
function keepLink(walkId, itemId, factId) {
  const now = links(walkId);
  if (now[itemId] === factId) return;
  now[itemId] = factId;
  localStorage.setItem(linksKey(walkId), JSON.stringify(now));
}

/** What a check fact says, for the item it answers. */
function answerOf(item, fact) {
  if (!fact) return null;
  if (fact.performed === true) return { kind: "done", text: ANSWERS[0][2] };
  if (fact.performed === false) return { kind: "not_done", text: ANSWERS[1][2] };
  if (fact.value !== undefined && fact.value !== null) return { kind: "measured", text: `${fact.value}${fact.unit ? ` ${fact.unit}` : ""}` };
  if (fact.text === checkText(item.topic, NOT_SEEN)) return { kind: "not_seen", text: t("Not seen today") };
  const skipped = checkText(item.topic, SKIPPED);
  if (fact.text && fact.text.startsWith(skipped)) {
    const reason = fact.text.slice(skipped.length).replace(/^:\s*/, "");
    return { kind: "skipped", text: reason ? t("Skipped: %(reason)s", { reason }) : t("Skipped") };
  }
  return { kind: "note", text: t("Noted") };
}

/** A text the app wrote for an answer (else the observer's own words, which a new answer keeps). */
function isCheckText(item, text) {
  if (!text) return true;
  const made = ["done", "not_done", "measurement"].map((o) => factText(item.topic, o));
  return made.includes(text) || text === checkText(item.topic, NOT_SEEN) || text.startsWith(checkText(item.topic, SKIPPED));
}

export async function viewChecklist(walkId) {
  const [ctx, plans] = await Promise.all([walkContext(walkId), loadPlans()]);
  if (!ctx) return [h("h1", {}, t("Walk not found")), h("p", { class: "empty" }, t("This walk is not on this phone.")), link("/app", t("← Walks"))];
  const planId = planOf(ctx.walk);
  // The phone's copy of the plans, else the plan in the site's export (also kept offline).
  const plan = plans.get(planId) || (ctx.byId.get(planId) || {}).record;
  if (!plan || !plan.items) {
    return [h("p", { class: "back" }, link(`/app/walks/${walkId}`, `← ${ctx.walk.title}`)), h("h1", {}, t("Checklist")),
      h("p", { class: "empty" }, planId ? t("This walk's plan is not on this phone yet. Open the app once with a network.") : t("This walk follows no plan.")),
      link(`/app/walks/${walkId}`, t("Free capture"), "button block")];
  }
  return new Checklist(ctx, plan).draw();
}

/** "You are at <strong>Press 2</strong>.", the place in bold wherever the language puts it. */
function atPlace(name) {
  const [before, after = ""] = t("You are at %(place)s.").split("%(place)s");
  return [before, h("strong", {}, name), after];
}

class Checklist {
  constructor(ctx, plan) {
    this.ctx = ctx;
    this.walk = ctx.walk;
    this.plan = plan;
    this.path = `/app/walks/${ctx.walk.id}/checklist`;
    this.items = plan.items.filter((item) => !item.retired);
    this.places = [...ctx.places];
    this.finished = ctx.walk.status === "finished";
    this.answers = new Map(); // item id -> fact record
    for (const [id, fact] of inFlight) if (ctx.byId.has(id) && same(ctx.byId.get(id).record, fact)) inFlight.delete(id);
    const facts = ctx.ofWalk.filter((e) => e.record.type === "fact").map((e) => inFlight.get(e.record.id) || e.record);
    for (const fact of inFlight.values()) if (fact.walk === this.walk.id && !ctx.byId.has(fact.id)) facts.push(fact);
    const linked = links(this.walk.id);
    for (const item of this.items) {
      const mine = facts.find((f) => f.id === linked[item.id]);
      const any = facts.filter((f) => f.plan_item === item.id).sort((a, b) => String(b.observed_at).localeCompare(String(a.observed_at)))[0];
      if (mine || any) this.answers.set(item.id, mine || any);
    }
    const here = carried(this.walk.id).place;
    this.here = this.places.find((p) => p.id === here && (plan.route || []).some((stop) => sameName(stop, p.name))) || null;
    this.cards = new Map();
  }

  draw() {
    const route = this.plan.route || [];
    this.progress = h("p", { class: "progress-text" });
    this.bar = h("progress", { max: this.items.length, value: 0, "aria-hidden": "true" });
    this.stops = h("div", { class: "stops", role: "group", "aria-label": t("Route: tap where you are") },
      route.map((stop, n) => h("button", { type: "button", class: "stop", "data-stop": stop, onclick: () => this.arrive(stop) },
        h("span", { class: "stop-n", "aria-hidden": "true" }, String(n + 1)), stop)));
    this.where = h("p", { class: "where" });
    const list = h("ol", { class: "checklist" }, this.items.map((item, n) => {
      const card = h("li", { class: "check-item", id: `item-${item.id}` });
      this.cards.set(item.id, card);
      this.drawItem(item, n);
      return card;
    }));
    this.update();
    return [
      h("p", { class: "back" }, link("/app", t("← Walks"))),
      h("header", { class: "walk-head" },
        h("p", { class: "muted" }, [this.ctx.site.name, day(this.walk.started_at, this.ctx.zone)].filter(Boolean).join(" · ")),
        h("h1", {}, this.walk.title, this.finished ? [" ", h("span", { class: "badge" }, t("finished"))] : null),
        worksCouncilBanner(this.ctx.site),
        this.plan.purpose ? h("p", { class: "purpose" }, this.plan.purpose) : null),
      h("div", { class: "checklist-bar" },
        h("div", { class: "progress-row" }, this.progress,
          link(`/app/walks/${this.walk.id}`, t("Free capture"), "button small free-capture")),
        this.bar,
        route.length && !this.finished ? [this.stops, this.where] : null),
      this.items.length ? list : h("p", { class: "empty" }, t("This plan has no items yet.")),
      h("div", { class: "walk-end" }, this.finished
        ? link(`/app/walks/${this.walk.id}/summary`, t("Walk summary"), "button block")
        : h("button", { type: "button", class: "button primary block finish", onclick: () => this.finish() }, t("Finish walk"))),
    ];
  }

  /** The progress line and the route strip, after any change. */
  update() {
    const done = this.items.filter((item) => this.answers.has(item.id)).length;
    this.progress.textContent = t("%(done)s of %(total)s answered", { done, total: this.items.length });
    this.bar.value = done;
    for (const button of this.stops.children) {
      button.setAttribute("aria-pressed", String(Boolean(this.here && sameName(this.here.name, button.dataset.stop))));
    }
    this.where.replaceChildren(...(this.here ? atPlace(this.here.name)
      : [t("Tap the stop you are at: the next checks are logged there.")]));
  }

  drawItem(item, n) {
    const card = this.cards.get(item.id);
    const fact = this.answers.get(item.id);
    const answer = answerOf(item, fact);
    const qid = `q-${item.id}`;
    card.className = `check-item kind-${item.kind}${answer ? ` is-answered answer-${answer.kind}` : ""}`;
    const standard = item.standard
      ? (item.standard.frequency && choiceLabel("claim", item.standard.frequency).toLowerCase()) || `${{ "<=": "≤ ", ">=": "≥ " }[item.standard.comparator] || ""}${item.standard.value} ${item.standard.unit || ""}`.trim()
      : null;
    card.replaceChildren(...[
      h("p", { class: "check-head" }, h("span", { class: "check-n" }, `${n + 1}`), h("span", { class: "topic" }, item.topic),
        answer ? h("span", { class: "answered-mark" }, "✓ " + t("answered")) : null),
      h("p", { class: "question", id: qid }, item.question),
      standard || item.reference ? h("p", { class: "hint" }, [standard && t("Standard: %(standard)s", { standard }), item.reference].filter(Boolean).join(" · ")) : null,
      item.kind === "measure" ? this.measureField(item, fact, qid) : this.answerButtons(item, answer, qid),
      answer ? h("p", { class: "answer-line" },
        h("span", {}, t("Answer:") + " ", h("strong", {}, answer.text)),
        fact.place ? h("span", { class: "muted" }, " " + t("at %(place)s", { place: this.placeName(fact.place) })) : null) : null,
      answer ? h("a", { href: `/app/walks/${this.walk.id}/edit/${fact.id}`, class: "button small note-link",
        onclick: (event) => this.addNote(event) }, t("Add note or photo")) : null,
    ].filter(Boolean));
  }

  placeName(id) {
    const place = this.places.find((p) => p.id === id);
    return place ? place.name : t("a place");
  }

  /** The fact's own form, once its answer is on the phone; saved, it comes back here. */
  async addNote(event) {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    const href = event.currentTarget.getAttribute("href");
    await writes;
    await refreshLocal();
    inFlight.clear(); // the form may change the fact: the queue has the newest version now
    returnTo(`/app/walks/${this.walk.id}`, this.path);
    navigate(href);
  }

  answerButtons(item, answer, qid) {
    return h("div", { class: "answers", role: "group", "aria-labelledby": qid },
      ANSWERS.map(([kind, icon, text]) => h("button", {
        type: "button", class: `answer answer-${kind}`, "aria-pressed": String(Boolean(answer && answer.kind === kind)),
        disabled: this.finished, onclick: () => this.answer(item, kind),
      }, h("span", { class: "answer-icon", "aria-hidden": "true" }, icon), h("span", {}, text))));
  }

  measureField(item, fact, qid) {
    const id = `v-${item.id}`;
    const value = fact && fact.value !== undefined ? String(fact.value) : "";
    const input = h("input", { type: "text", inputmode: "decimal", name: "value", id, value, autocomplete: "off",
      enterkeyhint: "done", "aria-labelledby": `${qid} u-${item.id}`, disabled: this.finished });
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h("form", { class: "measure", novalidate: true },
      h("div", { class: "measure-row" }, input, h("span", { class: "unit", id: `u-${item.id}` }, item.unit || ""),
        h("button", { type: "submit", class: "button primary", disabled: this.finished }, t("Save"))),
      error);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim().replace(",", ".");
      const number = Number(text);
      if (!text || !Number.isFinite(number)) {
        error.hidden = false;
        error.textContent = t("Enter a number, like 12.5.");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      this.answer(item, "measured", number);
    });
    return form;
  }

  /** One tap (or a number): the answer shows at once, the fact is queued behind it. */
  answer(item, kind, value) {
    const old = this.answers.get(item.id);
    const record = { ...(old || {}), type: "fact", id: old ? old.id : uuid(), walk: this.walk.id, topic: item.topic, plan_item: item.id };
    delete record.performed;
    delete record.value;
    delete record.unit;
    if (!old) {
      record.observed_at = new Date().toISOString();
      if (this.here) record.place = this.here.id;
    }
    if (kind === "done" || kind === "not_done") record.performed = kind === "done";
    if (kind === "measured") Object.assign(record, { value }, item.unit ? { unit: item.unit } : {});
    const outcome = { done: "done", not_done: "not_done", measured: "measurement" }[kind];
    if (!old || isCheckText(item, old.text)) record.text = outcome ? factText(item.topic, outcome) : checkText(item.topic, NOT_SEEN);
    this.answers.set(item.id, record);
    inFlight.set(record.id, record);
    keepLink(this.walk.id, item.id, record.id);
    this.drawItem(item, this.items.indexOf(item));
    this.update();
    announce(`${item.topic}: ${answerOf(item, record).text}.`);
    write(async () => {
      if (old) await app.queue.update(record);
      else await app.queue.add(record);
      if (inFlight.get(record.id) === record) inFlight.delete(record.id);
      requestPersistence();
      await refreshLocal();
      app.syncer.run();
    });
  }

  /** "I'm here": the stop becomes the place of the next checks; its place record is made the
   * first time the walk reaches it and reused after. */
  arrive(stop) {
    let place = this.places.find((p) => sameName(p.name, stop));
    const fresh = !place;
    if (fresh) {
      place = { type: "place", id: uuid(), walk: this.walk.id, name: stop, observed_at: new Date().toISOString() };
      this.places.push(place);
    }
    this.here = place;
    carryOver(place); // the free capture's next record starts here too
    this.update();
    announce(t("At %(stop)s.", { stop }));
    if (fresh) {
      write(async () => {
        await app.queue.add(place);
        await refreshLocal();
        app.syncer.run();
      });
    }
  }

  /** Finish as the walk screen does; unanswered items first become skipped notes, after one
   * question that asks why. */
  async finish() {
    if (this.finishing) return; // a second tap while the first one writes
    this.finishing = true;
    const open = this.items.filter((item) => !this.answers.has(item.id));
    let reason = "";
    if (open.length) {
      reason = await askReason(open.length);
      if (reason === null) {
        this.finishing = false;
        return;
      }
    }
    const now = new Date().toISOString();
    const outcome = reason ? `${SKIPPED}: ${reason}` : SKIPPED;
    const skips = open.map((item) => {
      const fact = { type: "fact", id: uuid(), walk: this.walk.id, topic: item.topic, plan_item: item.id,
        text: checkText(item.topic, outcome), observed_at: now };
      if (this.here) fact.place = this.here.id;
      keepLink(this.walk.id, item.id, fact.id);
      return fact;
    });
    const w = this.walk;
    const walk = { type: "walk", id: w.id, site: w.site, title: w.title, purpose: w.purpose, plan: planOf(w) || this.plan.id,
      started_at: w.started_at, status: "finished", ended_at: now };
    if (!walk.purpose) delete walk.purpose;
    for (const key of ["announced", "observer_visible", "calibrates"]) if (w[key] !== undefined && w[key] !== null) walk[key] = w[key];
    await writes; // the answers tapped before land first
    try {
      if (skips.length) await app.queue.add(skips[0], [], skips.slice(1));
      await app.queue.update(walk);
    } catch (error) {
      announce(t("Not saved on this phone: %(error)s", { error: error.message || error }));
      this.finishing = false;
      return;
    }
    await refreshLocal();
    announce(open.length ? ngettext("Walk finished; %(num)s item recorded as skipped.", "Walk finished; %(num)s items recorded as skipped.", open.length) : t("Walk finished."));
    navigate(`/app/walks/${w.id}/summary`);
    app.syncer.run();
  }
}

/** The one question before finishing with items unanswered: why were they skipped? Resolves
 * with the reason ("" when none is given) or null to keep walking. */
function askReason(count) {
  const dialog = document.getElementById("dialog");
  return new Promise((resolve) => {
    const input = h("input", { type: "text", name: "reason", id: "skip-reason", maxlength: 200, autocomplete: "off",
      placeholder: t("e.g. Line stopped"), enterkeyhint: "done" });
    let answered = false;
    const done = (value) => {
      if (answered) return;
      answered = true;
      dialog.close();
      resolve(value);
    };
    const form = h("form", { class: "skip-form", novalidate: true },
      h("h2", { id: "dialog-title" }, ngettext("%(num)s item not answered", "%(num)s items not answered", count)),
      h("p", {}, ngettext("It is recorded as skipped, with your reason.", "They are recorded as skipped, with your reason.", count)),
      h("div", { class: "field" }, h("label", { for: "skip-reason" }, t("Why skipped?")), input),
      h("div", { class: "dialog-actions" },
        h("button", { type: "submit", class: "button primary" }, t("Skip and finish")),
        h("button", { type: "button", class: "button", onclick: () => done(null) }, t("Keep walking"))));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      done(input.value.trim());
    });
    dialog.replaceChildren(form);
    dialog.setAttribute("aria-labelledby", "dialog-title");
    dialog.addEventListener("cancel", () => done(null), { once: true });
    dialog.showModal();
    input.focus();
  });
}
