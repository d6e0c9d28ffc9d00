// Walk plans on the phone (leader standard work): the plans with their checklists and the
// walks due to the observer, kept in the phone's database so that the home and a checklist
// open with no network; starting a due walk; and which due walks a walk started on this
// phone has answered, so they leave the home list at once, offline too.

import { STORES } from "./db.js";
import { app, cachedJSON, merged, zoneOf } from "./state.js";
import { uuid } from "./ui.js";
import { announcedFor } from "./walk-start.js";

const PLANS_URL = "/api/v1/plans";
const DUE_URL = "/api/v1/plans/due";
const STARTED_KEY = "gemba.planWalks";

// The body each key was last stored with: an answer read again from memory is not rewritten.
const stored = new Map();

/** A server read kept in the phone's database (the meta store, per user): the network's
 * answer when there is one, else the one kept last time. {body, at, fresh} */
async function kept(key, url) {
  const body = await cachedJSON(url);
  const db = app.queue.db;
  if (body) {
    if (!stored.has(key) || stored.get(key).body !== body) {
      stored.set(key, { body, at: new Date().toISOString() });
      await db.put(STORES.meta, { key, ...stored.get(key) }).catch(() => {}); // full: still shown
    }
    return { ...stored.get(key), fresh: true };
  }
  const row = await db.get(STORES.meta, key).catch(() => null);
  return row ? { body: row.body, at: row.at, fresh: false } : { body: null, at: null, fresh: false };
}

/** Every plan this phone knows, by id (retired items included, as the server sends them). */
export async function loadPlans() {
  const { body } = await kept("plans", PLANS_URL);
  return new Map(((body && body.records) || []).filter((r) => r.type === "plan").map((r) => [r.id, r]));
}

/** The walks due to this observer today and overdue, minus those a walk on this phone has
 * answered: {today, overdue, at, fresh}. */
export async function loadDue() {
  const { body, at, fresh } = await kept("due", DUE_URL);
  const open = notStarted((body && body.due) || []);
  return {
    today: open.filter((d) => d.status !== "overdue"),
    overdue: open.filter((d) => d.status === "overdue"),
    at, fresh,
  };
}

// -- walks started from a plan on this phone ------------------------------------------------

const startedKey = () => `${STARTED_KEY}.${app.me.id}`;

function startedHere() {
  try {
    return JSON.parse(localStorage.getItem(startedKey()) || "{}");
  } catch {
    return {};
  }
}

/** The plan a walk follows: its own `plan`, or the one it was started from on this phone
 * (kept apart, so an edit of the walk that leaves the field out does not lose it). */
export function planOf(walk) {
  if (!walk) return null;
  if (walk.plan) return walk.plan;
  const here = startedHere()[walk.id];
  return here ? here.plan : null;
}

/** Start a due walk: queued like any walk, titled after its plan, tied to it. */
export async function startPlanWalk(due, plan) {
  const walk = {
    type: "walk", id: uuid(), site: due.site, title: due.title, plan: due.plan,
    status: "in_progress", started_at: new Date().toISOString(),
  };
  if (plan && plan.purpose) walk.purpose = plan.purpose;
  const announced = announcedFor(due.site, plan);
  if (announced !== undefined) walk.announced = announced;
  const started = startedHere();
  started[walk.id] = { plan: due.plan, due_at: due.due_at };
  localStorage.setItem(startedKey(), JSON.stringify(started));
  await app.queue.add(walk);
  return walk;
}

// -- which due walks are answered -------------------------------------------------------------

function localDate(iso, zone) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit" };
  try {
    return new Intl.DateTimeFormat("en-CA", { ...options, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat("en-CA", options).format(new Date(iso));
  }
}

/** Whether a walk starting at `at` is in or after the slot of occurrence k of a plan (the
 * server's rule, domain/schedules.py): a day's first occurrence owns the day from 00:00 on
 * the site's clock, a later one from its own time. */
function opensBy(list, k, zone, at) {
  const day = localDate(list[k].due_at, zone);
  const first = k === 0 || localDate(list[k - 1].due_at, zone) !== day;
  return first ? localDate(at, zone) >= day : Date.parse(at) >= Date.parse(list[k].due_at);
}

/** The due walks no walk on this phone answers: a walk with the plan counts for the
 * occurrence whose slot holds its start (as on the server, which does not know it yet),
 * and a walk started from the list's Start button for the one it was started from. */
export function notStarted(due) {
  const started = startedHere();
  const walks = [...merged([]).values()].map((e) => e.record)
    .filter((r) => r.type === "walk" && planOf(r) && r.started_at);
  const byPlan = new Map();
  for (const d of [...due].sort((a, b) => a.due_at.localeCompare(b.due_at))) {
    if (!byPlan.has(d.plan)) byPlan.set(d.plan, []);
    byPlan.get(d.plan).push(d);
  }
  return due.filter((d) => {
    const list = byPlan.get(d.plan);
    const k = list.indexOf(d);
    const zone = zoneOf(d.site);
    return !walks.some((w) => {
      if (planOf(w) !== d.plan) return false;
      if (started[w.id]) return started[w.id].due_at === d.due_at;
      return opensBy(list, k, zone, w.started_at) && !(k + 1 < list.length && opensBy(list, k + 1, zone, w.started_at));
    });
  });
}
