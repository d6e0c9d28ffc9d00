// The outbox: Gemba JSON records and photos waiting for the server, in IndexedDB.
// An item leaves only when the server has confirmed it; a record the server refused
// stays, marked rejected with the reason, until the observer edits or discards it.

import { STORES, promised } from "./db.js";

const { queue: Q, blobs: B, records: R } = STORES;
let counter = 0;
const nextSeq = () => Date.now() * 1000 + (counter++ % 1000);
const now = () => new Date().toISOString();

const REFERENCES = ["site", "walk", "place", "persona", "fact", "statement"];

function refersTo(item, id) {
  if (item.kind === "photo") return item.record === id;
  if (item.kind === "delete") return false;
  const r = item.record;
  return REFERENCES.some((name) => r[name] === id) || (r.things || []).includes(id);
}

function unlink(record, id) {
  const out = { ...record };
  for (const name of REFERENCES) if (out[name] === id) delete out[name];
  if (out.things) out.things = out.things.filter((t) => t !== id);
  return out;
}

export class Queue {
  constructor(db) {
    this.db = db;
  }

  /** Queue a record, the records that go with it (a hand-made link) and its photos in one
   * transaction: all of them are kept, or none. */
  add(record, photos = [], extra = []) {
    return this.db.transaction([Q, B], "readwrite", async (s) => {
      const at = now();
      for (const r of [record, ...extra]) {
        await promised(s[Q].put({
          id: r.id, kind: "record", type: r.type, record: r, state: "pending",
          attempts: 0, error: null, seq: nextSeq(), createdAt: at, updatedAt: at,
        }));
      }
      for (const photo of photos) {
        await promised(s[B].put({ id: photo.id, blob: photo.blob }));
        await promised(s[Q].put({
          id: photo.id, kind: "photo", type: "photo", record: record.id, recordType: record.type,
          walk: record.walk, size: photo.blob.size, width: photo.width, height: photo.height,
          // What to blur ({boxes, reviewed}, photo-review.js); items queued before it have none.
          ...(photo.blur ? { blur: photo.blur } : {}),
          state: "pending", attempts: 0, error: null, seq: nextSeq(), createdAt: at, updatedAt: at,
        }));
      }
    });
  }

  /** Replace a queued record (an edit, or a fix after a rejection): it goes out again, and
   * so do the rejected records and photos that hang off it (refused because it was). */
  update(record) {
    return this.db.transaction([Q, R], "readwrite", async (s) => {
      const item = await promised(s[Q].get(record.id));
      const at = now();
      for (const other of await promised(s[Q].getAll())) {
        if (other.state !== "rejected" || !refersTo(other, record.id)) continue;
        Object.assign(other, { state: "pending", error: null, attempts: 0, updatedAt: at });
        await promised(s[Q].put(other));
      }
      if (item) {
        Object.assign(item, { record, state: "pending", error: null, attempts: 0, updatedAt: at });
        await promised(s[Q].put(item));
      } else {
        // An edit of a record the server has: sent as an update, deleted with a request.
        await promised(s[Q].put({
          id: record.id, kind: "record", type: record.type, record, state: "pending", onServer: true,
          attempts: 0, error: null, seq: nextSeq(), createdAt: at, updatedAt: at,
        }));
      }
    });
  }

  /** Delete a record. One that never left the phone just goes (with its photos, and with the
   * walk's queued records if it is a walk); any other becomes a queued delete, sent with
   * DELETE when the network allows. Queued records that pointed at it stop pointing. */
  remove(record) {
    return this.db.transaction([Q, B, R], "readwrite", async (s) => {
      const item = await promised(s[Q].get(record.id));
      const synced = await promised(s[R].get(record.id));
      const neverSent = item && !synced && !item.onServer && item.attempts === 0;
      const at = now();
      for (const other of await promised(s[Q].getAll())) {
        if (other.id === record.id || other.kind === "delete") continue;
        const ofWalk = record.type === "walk" && ((other.record && other.record.walk === record.id) || other.walk === record.id);
        if (ofWalk || (other.kind === "photo" && other.record === record.id)) {
          await promised(s[Q].delete(other.id));
          await promised(s[B].delete(other.id));
        } else if (other.kind === "record" && refersTo(other, record.id)) {
          other.record = unlink(other.record, record.id);
          await promised(s[Q].put(other));
        }
      }
      if (item) await promised(s[Q].delete(record.id));
      if (neverSent) return;
      await promised(s[Q].put({
        id: `delete:${record.id}`, kind: "delete", type: record.type, target: record.id, walk: record.walk,
        record: { id: record.id, type: record.type, walk: record.walk, text: record.text || record.name || record.title },
        state: "pending", attempts: 0, error: null, seq: nextSeq(), createdAt: at, updatedAt: at,
      }));
    });
  }

  /** The server deleted it (or never had it): the phone forgets it too. */
  deleted(item) {
    return this.db.transaction([Q, R], "readwrite", async (s) => {
      await promised(s[Q].delete(item.id));
      await promised(s[R].delete(item.target));
    });
  }

  async items() {
    const all = await this.db.all(Q);
    return all.sort((a, b) => a.seq - b.seq);
  }

  async count() {
    return (await this.db.all(Q)).length;
  }

  /** The server confirmed these records: keep them as synced, take them off the queue. */
  confirm(records) {
    return this.db.transaction([Q, R], "readwrite", async (s) => {
      for (const record of records) {
        const item = await promised(s[Q].get(record.id));
        // Edited again while it was on its way: the newer version still has to go.
        if (item && JSON.stringify(item.record) !== JSON.stringify(record)) continue;
        await promised(s[R].put({ id: record.id, record, syncedAt: now() }));
        await promised(s[Q].delete(record.id));
      }
    });
  }

  /** The server refused a record for a reason a person has to fix. */
  reject(id, reason, status) {
    return this.#change(id, (item) => Object.assign(item, { state: "rejected", error: reason, status, attempts: item.attempts + 1 }));
  }

  /** A try that failed for a reason that passes (network, server busy): note it, keep it. */
  noteFailure(ids, message) {
    return this.db.transaction([Q], "readwrite", async (s) => {
      for (const id of ids) {
        const item = await promised(s[Q].get(id));
        if (!item) continue;
        Object.assign(item, { attempts: item.attempts + 1, error: message, updatedAt: now() });
        await promised(s[Q].put(item));
      }
    });
  }

  retry(id) {
    return this.#change(id, (item) => Object.assign(item, { state: "pending", error: null, attempts: 0 }));
  }

  /** A photo the server stored: its bytes leave the phone. */
  photoDone(id) {
    return this.db.transaction([Q, B], "readwrite", async (s) => {
      await promised(s[Q].delete(id));
      await promised(s[B].delete(id));
    });
  }

  /** The observer threw an item away (only offered for rejected ones, after a warning). */
  discard(id) {
    return this.db.transaction([Q, B], "readwrite", async (s) => {
      await promised(s[Q].delete(id));
      await promised(s[B].delete(id));
    });
  }

  async blob(id) {
    const row = await this.db.get(B, id);
    return row ? row.blob : null;
  }

  async syncedRecords() {
    return (await this.db.all(R)).map((row) => row.record);
  }

  #change(id, fn) {
    return this.db.transaction([Q], "readwrite", async (s) => {
      const item = await promised(s[Q].get(id));
      if (!item) return;
      fn(item);
      item.updatedAt = now();
      await promised(s[Q].put(item));
    });
  }
}
