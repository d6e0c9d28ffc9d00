// How a walk is run, on the phone: "Announced" preselected as the plan or the site has it
// (so the usual walk costs no tap), and the walks that may be shadowed by a calibration walk:
// in progress today at the chosen site, by another observer, themselves no shadow. Online
// the site's walks are asked for; offline the walks this phone knows are used.

import { app, cachedJSON, zoneOf } from "./state.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";
import { OWN_WALK, WALK_BANNERS } from "./vocabulary.js";

const yesNo = (value) => (value === false ? "no" : "yes");

/** "yes" or "no": the plan's setting where it has one, else the site's (yes when unknown). */
export function announcedDefault(site, plan) {
  if (plan && typeof plan.announced === "boolean") return yesNo(plan.announced);
  return yesNo(site ? site.walks_announced : true);
}

/** The `announced` a walk started without a form gets, or undefined to let the server decide. */
export function announcedFor(siteId, plan) {
  if (plan && typeof plan.announced === "boolean") return plan.announced;
  const site = app.sites.find((s) => s.id === siteId);
  return site && typeof site.walks_announced === "boolean" ? site.walks_announced : undefined;
}

const dayOf = (iso, zone) => {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat("en-CA").format(new Date(iso));
  }
};

/** The walks a new walk at the site may shadow, as [id, label] options. */
export function shadowable(walks, siteId, selfId) {
  const zone = zoneOf(siteId);
  const today = dayOf(new Date().toISOString(), zone);
  const me = app.me ? app.me.label : null;
  return walks.filter((w) => w.site === siteId && w.id !== selfId && w.status === "in_progress" && !w.calibrates
    && w.observer && w.observer !== me && w.started_at && dayOf(w.started_at, zone) === today)
    .map((w) => [w.id, `${w.title} (${w.observer})`]);
}

export const shadowOptions = (walks, siteId, selfId) => [["", OWN_WALK], ...shadowable(walks, siteId, selfId)];

/** Keep the walk form in step with its site: the announced default (until the observer picks
 * one) and the walks to shadow (the site's, asked for online). */
export function wireWalkForm(form, record) {
  const site = form.querySelector("select[name=site]");
  const shadow = form.querySelector("select[name=calibrates]");
  if (!site || !shadow) return;
  let touched = record.announced !== undefined;
  form.querySelectorAll("input[name=announced]").forEach((el) => el.addEventListener("change", () => { touched = true; }));
  const refresh = async () => {
    const siteId = site.value;
    if (!touched) {
      const value = announcedDefault(app.sites.find((s) => s.id === siteId), null);
      const radio = form.querySelector(`input[name=announced][value="${value}"]`);
      if (radio) radio.checked = true;
    }
    fill(shadow, shadowOptions(app.walks, siteId, record.id), record.calibrates);
    const body = await cachedJSON(`/api/v1/walks?site=${encodeURIComponent(siteId)}&limit=100`);
    if (body && site.value === siteId) fill(shadow, shadowOptions(body.items, siteId, record.id), record.calibrates);
  };
  site.addEventListener("change", refresh);
  refresh();
}

function fill(select, options, keep) {
  const chosen = select.value || keep || "";
  const kept = chosen && !options.some(([v]) => v === chosen) ? [[chosen, select.selectedOptions[0]?.textContent || chosen]] : [];
  select.replaceChildren(...[...options, ...kept].map(([v, text]) => h("option", { value: v }, text)));
  select.value = chosen;
}

/** The walk screen's line on how the walk is run: "Unannounced walk · Calibration walk: …". */
export function walkBanner(walk, walks) {
  const lines = [];
  if (typeof walk.announced === "boolean") lines.push(WALK_BANNERS[walk.announced ? "announced" : "unannounced"]);
  if (walk.calibrates) {
    const shadowed = walks.find((w) => w.id === walk.calibrates);
    lines.push(WALK_BANNERS.calibration.replace("{title}", shadowed ? shadowed.title : t("another walk"))
      .replace("{observer}", shadowed ? shadowed.observer : "?"));
  }
  return lines.length ? h("p", { class: "walk-run muted", "data-walk-run": true }, lines.join(" · ")) : null;
}
