// A small promise wrapper around IndexedDB: one database per user, so one person's
// queue is never seen or sent by the next person who logs in on the same phone.

const VERSION = 1;
export const STORES = {
  queue: "queue", // records and photos waiting for the server, with state and last error
  blobs: "blobs", // photo bytes, by photo id
  records: "records", // records the server confirmed, kept for the timeline and the hints
  meta: "meta", // small key/value facts: the last sync, counters
};

export function databaseName(userId) {
  return `gemba-offline-user-${userId}`;
}

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function openDatabase(userId) {
  const request = indexedDB.open(databaseName(userId), VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(STORES.queue)) {
      const queue = db.createObjectStore(STORES.queue, { keyPath: "id" });
      queue.createIndex("seq", "seq");
    }
    if (!db.objectStoreNames.contains(STORES.blobs)) db.createObjectStore(STORES.blobs, { keyPath: "id" });
    if (!db.objectStoreNames.contains(STORES.records)) db.createObjectStore(STORES.records, { keyPath: "id" });
    if (!db.objectStoreNames.contains(STORES.meta)) db.createObjectStore(STORES.meta, { keyPath: "key" });
  };
  return new Database(await promised(request));
}

export class Database {
  constructor(idb) {
    this.idb = idb;
  }

  /** Run fn(stores) in one transaction; resolves with fn's result once it is committed. */
  transaction(names, mode, fn) {
    return new Promise((resolve, reject) => {
      const tx = this.idb.transaction(names, mode, { durability: "strict" });
      const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
      let result;
      Promise.resolve(fn(stores)).then((value) => { result = value; }, (error) => { tx.abort(); reject(error); });
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("The transaction was aborted."));
    });
  }

  get(store, key) {
    return this.transaction([store], "readonly", (s) => promised(s[store].get(key)));
  }

  all(store) {
    return this.transaction([store], "readonly", (s) => promised(s[store].getAll()));
  }

  put(store, value) {
    return this.transaction([store], "readwrite", (s) => promised(s[store].put(value)));
  }

  delete(store, key) {
    return this.transaction([store], "readwrite", (s) => promised(s[store].delete(key)));
  }

  close() {
    this.idb.close();
  }
}

export { promised };
