/* Gemba's service worker: the offline capture shell from its cache, API reads with a fallback.
 *
 * Served by /sw.js with the shell's hash filled in below, so a deploy that changes any
 * shell file changes these bytes and the browser installs the new worker; it then waits
 * until the page asks it to take over ("new version available — reload").
 *
 * The shell is in the observer's language (the server picks it: their profile, else the
 * browser's), so it is kept per language, under SHELL_URL?lang=xx, beside the language it was
 * last served in; when the page learns from /app/me that the server now answers in another
 * one, it asks for that language's shell ("language" message) and reloads.
 */
const VERSION = {{ version|tojson }};
const SHELL_CACHE = "gemba-shell-" + VERSION;
const DATA_CACHE = "gemba-data-v1";
const PRECACHE = {{ precache|tojson }};
const SHELL_URL = {{ shell|tojson }};
const CURRENT_LANGUAGE = SHELL_URL + "?language";  // the language the shell was last served in
// API reads worth having on the floor: sites, walks, a site's topics and export, gaps.
const CACHED_API = /^\/api\/v1\/(sites|walks|gaps)(\/|$|\?)/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) =>
      // Versioned assets may come from the HTTP cache (their URL changes with their bytes);
      // everything else is checked with the server, never a stale copy.
      Promise.all([
        cache.addAll(PRECACHE.map((url) => new Request(url, {
          cache: url.includes("/assets/" + VERSION + "/") ? "default" : "no-cache",
          credentials: "same-origin",
        }))),
        currentLanguage().then((language) => keepShell(cache, language)),
      ]),
    ),
  );
});

const shellKey = (language) => SHELL_URL + "?lang=" + encodeURIComponent(language);

/** The language the shell was last served in ("" before the first). */
async function currentLanguage() {
  const cache = await caches.open(SHELL_CACHE);
  const hit = (await cache.match(CURRENT_LANGUAGE)) || (await caches.match(CURRENT_LANGUAGE));
  return hit ? hit.text() : "";
}

/** Fetch the shell in the language the server picks now and keep it under that language;
 * fails (rejects) on no answer. `wanted` is a hint only: the server decides. */
async function keepShell(cache, wanted) {
  const response = await fetch(SHELL_URL, { cache: "no-cache", credentials: "same-origin" });
  if (!response.ok) throw new Error("shell " + response.status);
  const language = response.headers.get("Content-Language") || wanted || "en";
  await cache.put(shellKey(language), response.clone());
  await cache.put(CURRENT_LANGUAGE, new Response(language));
  return { language, response };
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("gemba-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "skip-waiting") self.skipWaiting();
  if (data.type === "version" && event.ports[0]) event.ports[0].postMessage({ version: VERSION });
  // The server answers in another language now (a new choice in the profile, or the phone's):
  // keep the shell in it, and tell the page which language it got.
  if (data.type === "language") {
    event.waitUntil(caches.open(SHELL_CACHE).then((cache) => keepShell(cache, data.language))
      .then(({ language }) => event.ports[0] && event.ports[0].postMessage({ language }))
      .catch(() => event.ports[0] && event.ports[0].postMessage({ language: null })));
  }
  // A different user on this browser: the previous user's cached reads must not show.
  if (data.type === "clear-data") {
    event.waitUntil(caches.delete(DATA_CACHE).then(() => event.ports[0] && event.ports[0].postMessage({ ok: true })));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // POST and PUT always go to the network, uncached
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === SHELL_URL || url.pathname.startsWith(SHELL_URL + "/")) {
      event.respondWith(shellFirst());
    }
    return; // the server-rendered pages are not the offline app: the network as usual
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  if (CACHED_API.test(url.pathname)) event.respondWith(networkFirst(request));
});

async function shellFirst() {
  const language = await currentLanguage();
  const hit = language && await caches.match(shellKey(language), { cacheName: SHELL_CACHE });
  if (hit) return hit;
  try {
    const { response } = await keepShell(await caches.open(SHELL_CACHE), language);
    return response;
  } catch {
    return fetch(SHELL_URL, { credentials: "same-origin" });
  }
}

async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request);
    if (hit) {
      // Tell the page this is what the phone last saw, not the server's answer now.
      const headers = new Headers(hit.headers);
      headers.set("X-Gemba-From-Cache", "1");
      return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers });
    }
    throw error;
  }
}
