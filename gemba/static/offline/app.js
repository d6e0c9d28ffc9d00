// Gemba offline capture: walk list, walk timeline, capture forms and the sync ledger.
// Everything the observer logs goes to the IndexedDB queue first and reaches the server
// through sync.js; the page works the same with or without a network.
//
// This file starts the app: the session, the service worker and the routes. The screens are
// in screens/, what they share in state.js, the say-vs-do hints in hints.js.

import { openDatabase } from "./db.js";
import { loadSaydo } from "./hints.js";
import { Queue } from "./queue.js";
import { navigate, render, setRoutes } from "./router.js";
import { viewEdit, viewForm } from "./screens/form.js";
import { exportQueue, viewLedger } from "./screens/ledger.js";
import { viewSummary } from "./screens/summary.js";
import { viewWalk } from "./screens/walk.js";
import { viewWalks } from "./screens/walks.js";
import { app, cachedJSON, forgetReads, main, refreshLocal, renderStatus, requestPersistence } from "./state.js";
import { Syncer } from "./sync.js";
import { LANGUAGE, ngettext, t } from "./i18n.js";
import { ask, h } from "./ui.js";

const USER_KEY = "gemba.offline.user";
// A plan walk's checklist loads on first use (the worker precaches it): the home stays light.
const checklist = () => import("./screens/checklist.js");

// -- the screens, by path --------------------------------------------------------------------

setRoutes([
  [/^\/app\/?$/, () => viewWalks()],
  [/^\/app\/walks\/new$/, () => viewForm("walk")],
  [/^\/app\/walks\/([\w-]+)$/, (m) => viewWalk(m[1])],
  [/^\/app\/walks\/([\w-]+)\/new\/(place|thing|fact|statement)$/, (m) => viewForm(m[2], m[1])],
  [/^\/app\/walks\/([\w-]+)\/edit\/([\w-]+)$/, (m) => viewEdit(m[2], m[1])],
  [/^\/app\/walks\/([\w-]+)\/summary$/, (m) => viewSummary(m[1])],
  [/^\/app\/walks\/([\w-]+)\/checklist$/, async (m) => (await checklist()).viewChecklist(m[1])],
  [/^\/app\/edit\/([\w-]+)$/, (m) => viewEdit(m[1])],
  [/^\/app\/ledger$/, () => viewLedger()],
]);

// The browser's "install this app" offer, kept for the walk list's Install button.
window.addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  app.installPrompt = event;
  if (location.pathname === "/app" || location.pathname === "/app/") render();
});

// -- the session and the service worker ------------------------------------------------------

async function whoAmI() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch("/app/me", { cache: "no-store", credentials: "same-origin", signal: controller.signal });
    if (response.status === 401) return { signedOut: true };
    if (!response.ok) return { unreachable: true };
    return { me: await response.json() };
  } catch {
    return { unreachable: true };
  } finally {
    clearTimeout(timer);
  }
}

function signedOutView() {
  document.getElementById("footer").hidden = true;
  main.replaceChildren(h("h1", {}, t("Log in to capture")),
    h("p", {}, t("This phone keeps each user's unsynced records apart; log in to see and send yours.")),
    h("a", { class: "button primary", href: "/login?next=/app" }, t("Log in")));
  main.dataset.ready = "signed-out";
}

async function logout() {
  const waiting = app.items.length;
  if (waiting) {
    const choice = await ask(t("Items are not yet synced"),
      ngettext("%(num)s item on this phone is not on the server yet. They stay on this phone for you, hidden from anyone else who logs in here, until you log in again and sync. Sync or export them first if you can.",
        "%(num)s items on this phone are not on the server yet. They stay on this phone for you, hidden from anyone else who logs in here, until you log in again and sync. Sync or export them first if you can.", waiting),
      [{ label: t("Sync now"), value: "sync", class: "primary" }, { label: t("Export queue"), value: "export" },
        { label: t("Log out anyway"), value: "logout", class: "danger" }]);
    if (choice === "sync") return app.syncer.run();
    if (choice === "export") return exportQueue();
    if (choice !== "logout") return;
  }
  const fresh = await whoAmI();
  if (!fresh.me) {
    await ask(t("You are offline"), t("Logging out needs the network. Your records stay queued meanwhile."), []);
    return;
  }
  const form = new FormData();
  form.append("csrf_token", fresh.me.csrf_token);
  await fetch("/logout", { method: "POST", body: form, credentials: "same-origin" });
  localStorage.removeItem(USER_KEY);
  await clearDataCache();
  location.assign("/login");
}

function clearDataCache() {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    worker.postMessage({ type: "clear-data" }, [channel.port2]);
    setTimeout(resolve, 1000);
  });
}

function watchForUpdates(registration) {
  const banner = document.getElementById("update");
  const offer = (worker) => {
    if (!worker || !navigator.serviceWorker.controller) return; // the first install needs no reload
    banner.hidden = false;
    banner.querySelector("button").onclick = () => {
      app.reloading = true;
      worker.postMessage({ type: "skip-waiting" });
    };
  };
  offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => { if (worker.state === "installed") offer(worker); });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => { if (app.reloading) location.reload(); });
}

const LANGUAGE_RELOAD = "gemba.offline.languageReload";

/** The server now answers this user in another language than the shell's (a new choice in
 * the profile, or the phone's): have the worker keep the shell in it, then reload, once. */
async function followLanguage(language) {
  if (!language || language === LANGUAGE) {
    sessionStorage.removeItem(LANGUAGE_RELOAD);
    return false;
  }
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker || sessionStorage.getItem(LANGUAGE_RELOAD) === language) return false; // no reload loop
  sessionStorage.setItem(LANGUAGE_RELOAD, language);
  await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    worker.postMessage({ type: "language", language }, [channel.port2]);
    setTimeout(resolve, 5000);
  });
  location.reload();
  return true;
}

async function start() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(watchForUpdates).catch(() => {});
  }
  // The first screen's server reads start with the session check, not after it.
  const walk = location.pathname.match(/^\/app\/walks\/([0-9a-f-]{36})/);
  const home = /^\/app\/?$/.test(location.pathname);
  const plans = home || /\/checklist$/.test(location.pathname);
  for (const url of ["/api/v1/sites?limit=200", "/api/v1/walks?limit=200", walk && `/api/v1/walks/${walk[1]}`,
    plans && "/api/v1/plans", home && "/api/v1/plans/due"]) {
    if (url) cachedJSON(url);
  }
  // So do the modules a walk or a form needs (the walk list needs neither).
  if (walk) loadSaydo();
  if (/\/(new|edit)(\/|$)/.test(location.pathname)) import("./forms.js");
  if (/\/checklist$/.test(location.pathname)) checklist();
  const answer = await whoAmI();
  let me = answer.me;
  const last = JSON.parse(localStorage.getItem(USER_KEY) || "null");
  if (answer.signedOut) return signedOutView();
  if (me && await followLanguage(me.language)) return;
  if (me) {
    if (last && String(last.id) !== String(me.id)) await clearDataCache();
    const { csrf_token: _, ...keep } = me;
    localStorage.setItem(USER_KEY, JSON.stringify(keep));
  } else if (last) {
    me = last; // offline: the last user who logged in here, who never logged out
    app.offline = true;
  } else {
    main.replaceChildren(h("h1", {}, t("Offline")), h("p", {}, t("Open the app once with a network to log in.")));
    return;
  }
  app.me = me;
  document.getElementById("who").textContent = `${me.label} · ${me.role_name || me.role}`;
  document.getElementById("logout").addEventListener("click", logout);
  app.queue = new Queue(await openDatabase(me.id));
  app.syncer = new Syncer({
    queue: app.queue,
    userId: me.id,
    onEvent: async (event) => {
      if (event.type === "synced") {
        forgetReads(); // the server's lists changed: the next screen reads them again
        for (const gap of event.gaps) app.gaps.set(gap.statement, gap);
      }
      if (event.type === "state") renderStatus();
      else {
        await refreshLocal();
        if (!document.querySelector("form")) render();
      }
    },
  });
  await refreshLocal();
  if (app.items.length) requestPersistence();
  document.addEventListener("click", (event) => {
    const a = event.target.closest("a[data-route]");
    if (!a || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(a.getAttribute("href"));
  });
  window.addEventListener("popstate", render);
  window.addEventListener("online", () => { renderStatus(); app.syncer.online(); });
  window.addEventListener("offline", renderStatus);
  await render();
  app.syncer.run();
}

start();
