// Sync: the queue goes to POST /api/v1/sync in batches, then photos to PUT /api/v1/photos/{id}.
// Records carry their client UUIDs, so a batch whose answer was lost is simply sent again:
// the server answers "unchanged" and nothing is duplicated. Failures that pass (no network,
// a busy or restarting server) are retried with exponential back-off and jitter.

import { LANGUAGE, t } from "./i18n.js";

export const BATCH_SIZE = 100;
export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_CAP_MS = 5 * 60 * 1000;
const CONFIRMED = new Set(["created", "updated", "unchanged"]);
// Statuses worth trying again as they are; any other 4xx needs a person to change something.
const TRANSIENT = new Set([404, 408, 409, 423, 425, 429]);
// The server words its refusals (a problem's title and detail, a record's reason) in the
// language asked for: the app's, so the ledger speaks one language.
const SPEAK = { "Accept-Language": LANGUAGE };

/** Delay before try number `failures` (1, 2, …): doubling up to a cap, then "equal jitter". */
export function backoff(failures, random = Math.random, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS) {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

class Retry extends Error {}
export class SignedOut extends Error {}
export class WrongUser extends Error {}

async function problemText(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || answered(response.status);
  } catch {
    return answered(response.status);
  }
}

function answered(status) {
  return t("The server answered with status %(status)s.", { status });
}

export class Syncer {
  constructor({ queue, userId, onEvent = () => {}, fetchImpl = (...a) => fetch(...a), random = Math.random }) {
    Object.assign(this, { queue, userId, onEvent, fetchImpl, random });
    this.state = "idle";
    this.failures = 0;
    this.nextAt = null;
    this.message = "";
    this.running = false;
    this.again = false;
    this.timer = null;
    this.csrf = null;
  }

  /** Sync now (a button, the network coming back, a new record); overlapping calls merge. */
  async run() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    clearTimeout(this.timer);
    this.#set("syncing", t("Sending…"));
    try {
      do {
        this.again = false;
        await this.#pass();
      } while (this.again);
      this.failures = 0;
      this.nextAt = null;
      this.#set("idle", "");
    } catch (error) {
      if (error instanceof SignedOut) this.#set("signed-out", t("Log in again to send what waits."));
      else if (error instanceof WrongUser) this.#set("wrong-user", t("Another user is logged in on this browser."));
      else if (error instanceof Retry) this.#schedule(error.message || t("Sync failed."));
      else this.#schedule(error.message ? t("Sync failed: %(reason)s", { reason: error.message }) : t("Sync failed."));
    } finally {
      this.running = false;
      this.onEvent({ type: "state" });
    }
  }

  /** The network is back: start over from the shortest delay. */
  online() {
    this.failures = 0;
    return this.run();
  }

  #schedule(message) {
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      // No network at all: trying on a timer only wastes battery; the "online" event calls.
      this.nextAt = null;
      this.#set("offline", t("Waiting for the network."));
      return;
    }
    this.failures += 1;
    const delay = backoff(this.failures, this.random);
    this.nextAt = Date.now() + delay;
    this.timer = setTimeout(() => this.run(), delay);
    this.#set("waiting", message);
  }

  #set(state, message) {
    this.state = state;
    this.message = message;
    this.onEvent({ type: "state" });
  }

  async #session() {
    let response;
    try {
      response = await this.fetchImpl("/app/me", { cache: "no-store", credentials: "same-origin", headers: SPEAK });
    } catch {
      throw new Retry(t("No connection; will try again."));
    }
    if (response.status === 401) throw new SignedOut();
    if (!response.ok) throw new Retry(await problemText(response));
    const me = await response.json();
    if (String(me.id) !== String(this.userId)) throw new WrongUser();
    this.csrf = me.csrf_token;
  }

  async #pass() {
    const items = await this.queue.items();
    const records = items.filter((i) => i.kind === "record" && i.state === "pending");
    const waitingPhotos = items.some((i) => i.kind === "photo" && i.state === "pending");
    const deletes = items.filter((i) => i.kind === "delete" && i.state === "pending");
    if (!records.length && !waitingPhotos && !deletes.length) return;
    await this.#session();
    for (let start = 0; start < records.length; start += BATCH_SIZE) {
      await this.#sendBatch(records.slice(start, start + BATCH_SIZE));
    }
    // Photos go once their record is on the server: the upload names it.
    const left = await this.queue.items();
    const unsent = new Set(left.filter((i) => i.kind === "record").map((i) => i.id));
    for (const photo of left.filter((i) => i.kind === "photo" && i.state === "pending" && !unsent.has(i.record))) {
      await this.#sendPhoto(photo);
    }
    for (const item of deletes) await this.#sendDelete(item);
  }

  /** A queued delete: done when the server deleted it, or has nothing to delete (404). */
  async #sendDelete(item) {
    let response;
    try {
      response = await this.fetchImpl(`/api/v1/records/${item.type}/${item.target}`, {
        method: "DELETE", credentials: "same-origin", headers: { ...SPEAK, Accept: "application/json", "X-CSRFToken": this.csrf },
      });
    } catch {
      await this.queue.noteFailure([item.id], t("No connection; will try again."));
      throw new Retry(t("No connection; will try again."));
    }
    if (response.ok || response.status === 404) {
      const body = response.ok ? await response.json().catch(() => ({})) : {};
      await this.queue.deleted(item);
      this.onEvent({ type: "synced", records: [], gaps: body.gaps || [], cleared: body.cleared_gaps || [], deleted: item.target });
      return;
    }
    if (response.status === 401) throw new SignedOut();
    const reason = await problemText(response);
    if (response.status >= 500 || TRANSIENT.has(response.status)) {
      await this.queue.noteFailure([item.id], reason);
      throw new Retry(t("A delete could not be sent yet: %(reason)s", { reason }));
    }
    await this.queue.reject(item.id, reason, response.status);
  }

  async #post(items, retried = false) {
    const body = JSON.stringify({ format: "gemba/v1", records: items.map((i) => i.record) });
    let response;
    try {
      response = await this.fetchImpl("/api/v1/sync", {
        method: "POST",
        credentials: "same-origin",
        headers: { ...SPEAK, "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
        body,
      });
    } catch {
      throw new Retry(t("No connection; will try again."));
    }
    if (response.status === 400 && !retried && /csrf/i.test(await response.clone().text())) {
      await this.#session(); // the CSRF token expired with a long walk: fetch a fresh one
      return this.#post(items, true);
    }
    return response;
  }

  async #sendBatch(items) {
    const ids = items.map((i) => i.id);
    let response;
    let result;
    try {
      response = await this.#post(items);
      if (response.status === 401) throw new SignedOut();
      if (response.status === 413 && items.length > 1) {
        const half = Math.ceil(items.length / 2);
        await this.#sendBatch(items.slice(0, half));
        await this.#sendBatch(items.slice(half));
        return;
      }
      if (!response.ok) throw new Retry(t("The server said: %(reason)s", { reason: await problemText(response) }));
      try {
        result = await response.json();
      } catch {
        throw new Retry(t("The answer was cut off; will send again."));
      }
    } catch (error) {
      if (error instanceof Retry) await this.queue.noteFailure(ids, error.message);
      throw error;
    }
    const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
    const confirmed = [];
    for (const outcome of result.results || []) {
      const item = byId.get(String(outcome.id).toLowerCase());
      if (!item) continue;
      if (CONFIRMED.has(outcome.status)) confirmed.push(item.record);
      else await this.queue.reject(item.id, outcome.reason || t("Refused by the server."), outcome.http_status);
    }
    await this.queue.confirm(confirmed);
    this.onEvent({ type: "synced", records: confirmed, gaps: result.gaps || [], cleared: result.cleared_gaps || [] });
  }

  async #sendPhoto(item) {
    const blob = await this.queue.blob(item.id);
    if (!blob) {
      await this.queue.reject(item.id, t("The photo's bytes are missing on this phone."), 0);
      return;
    }
    const form = new FormData();
    form.append("file", blob, `${item.id}.jpg`);
    form.append("record", item.record);
    // What the observer chose to blur; without it the server finds and blurs the faces itself.
    if (item.blur) form.append("blur", JSON.stringify(item.blur));
    let response;
    try {
      response = await this.fetchImpl(`/api/v1/photos/${item.id}`, {
        method: "PUT", credentials: "same-origin", headers: { ...SPEAK, "X-CSRFToken": this.csrf }, body: form,
      });
    } catch {
      await this.queue.noteFailure([item.id], t("No connection; will try again."));
      throw new Retry(t("No connection; will try again."));
    }
    if (response.ok) {
      await this.queue.photoDone(item.id);
      this.onEvent({ type: "photo", id: item.id, record: item.record });
      return;
    }
    if (response.status === 401) throw new SignedOut();
    const reason = await problemText(response);
    if (response.status >= 500 || TRANSIENT.has(response.status)) {
      await this.queue.noteFailure([item.id], reason);
      throw new Retry(t("A photo could not be sent yet: %(reason)s", { reason }));
    }
    await this.queue.reject(item.id, reason, response.status);
  }
}
