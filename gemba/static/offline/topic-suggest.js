// The server's topics ranked by similarity, asked for while the observer types (after a
// pause): "glove use" offers "Gloves". Never in the way of typing: a request is dropped
// when the words change, given up after 1.5 s, and without an answer the phone's own list
// is all that shows.

export const PAUSE_MS = 250;
export const GIVE_UP_MS = 1500;

/** GET a JSON suggestion with a deadline; null when it fails, is slow or was superseded. */
export async function askServer(url, signal) {
  const timeout = AbortSignal.timeout(GIVE_UP_MS);
  const both = AbortSignal.any ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: both });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** The site's topics most like `text`, best first (names only); [] offline. */
export async function rankedTopics(siteId, text, signal) {
  if (!siteId || !text || !navigator.onLine) return [];
  const body = await askServer(`/api/v1/topics/suggest?site=${encodeURIComponent(siteId)}&q=${encodeURIComponent(text)}`, signal);
  return body && Array.isArray(body.topics) ? body.topics.map((t) => t.name).filter(Boolean) : [];
}

/** Calls `run(value, signal)` after a pause in typing, aborting the previous call's signal. */
export function debounced(run, pause = PAUSE_MS) {
  let timer = null;
  let controller = null;
  return (value) => {
    clearTimeout(timer);
    if (controller) controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    timer = setTimeout(() => run(value, signal), pause);
  };
}

/** Ranked names first, then the local matches, once each (case-insensitive), at most `max`. */
export function mergeSuggestions(ranked, local, typed, max = 4) {
  const seen = new Set([typed.trim().toLowerCase()]);
  const out = [];
  for (const name of [...ranked, ...local]) {
    const key = name.trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
    if (out.length === max) break;
  }
  return out;
}
