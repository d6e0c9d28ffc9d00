// Routing of the offline app: /app/… paths drawn in the page, without a server round trip.

import { link, main } from "./state.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";

let routes = [];

/** The screens: [pattern, (match) => content], the first matching pattern wins. */
export function setRoutes(table) {
  routes = table;
}

let renderSerial = 0;
export async function render() {
  const serial = ++renderSerial;
  const path = location.pathname;
  for (const a of document.querySelectorAll(".nav a")) {
    if (a.getAttribute("href") === path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const route = routes.find(([pattern]) => pattern.test(path));
  const content = route ? await route[1](path.match(route[0])) : [h("h1", {}, t("Not found")), link("/app", t("← Walks"))];
  if (serial !== renderSerial) return; // a newer navigation won
  document.body.classList.toggle("has-actionbar", /^\/app\/walks\/[\w-]+$/.test(path) && path !== "/app/walks/new");
  main.replaceChildren(...[content].flat().filter(Boolean));
  // The browser honours `autofocus` once per page load; a screen drawn later gets it here.
  const first = main.querySelector("[autofocus]");
  if (first) first.focus();
  main.dataset.ready = path;
}

// A screen opened from another to come back to it: the checklist's "Add note or photo" opens
// the fact's form, which goes to the walk when saved; the walk then means the checklist.
let detour = null;

/** The next navigation to `from` goes to `to` instead, while the observer stays on `from`'s
 * sub-screens (a form under it); going anywhere else forgets it. */
export function returnTo(from, to) {
  detour = { from, to };
}

export function navigate(path) {
  if (detour && path === detour.from) {
    path = detour.to;
    detour = null;
  } else if (detour && !path.startsWith(`${detour.from}/`)) {
    detour = null;
  }
  if (path !== location.pathname) history.pushState(null, "", path);
  window.scrollTo(0, 0);
  render();
}
