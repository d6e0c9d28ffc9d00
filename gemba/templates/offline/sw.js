/* Gemba's service worker: the offline capture shell from its cache, API reads with a fallback.
 *
 * Served by /sw.js with the shell's hash filled in below, so a deploy that changes any
 * shell file changes these bytes and the browser installs the new worker; it then waits
 * until the page asks it to take over ("new version available — reload").
 */
const VERSION = {{ version|tojson }};
const SHELL_CACHE = "gemba-shell-" + VERSION;
const DATA_CACHE = "gemba-data-v1";
const PRECACHE = {{ precache|tojson }};
const SHELL_URL = {{ shell|tojson }};
// API reads worth having on the floor: sites, walks, a site's topics and export, gaps.
const CACHED_API = /^\/api\/v1\/(sites|walks|gaps)(\/|$|\?)/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) =>
      // Versioned assets may come from the HTTP cache (their URL changes with their bytes);
      // everything else is checked with the server, never a stale copy.
      cache.addAll(PRECACHE.map((url) => new Request(url, {
        cache: url.includes("/assets/" + VERSION + "/") ? "default" : "no-cache",
        credentials: "same-origin",
      }))),
    ),
  );
});

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
  const hit = await caches.match(SHELL_URL, { cacheName: SHELL_CACHE });
  return hit || fetch(SHELL_URL, { credentials: "same-origin" });
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
