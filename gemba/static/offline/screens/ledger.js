// The sync ledger: what waits on this phone for the server, what it refused (edit, send
// again, discard), the export of the queue, and the phone's storage and GPS settings.

import { render } from "../router.js";
import { app, gpsWarn, LABELS, link, NAMES, refreshLocal } from "../state.js";
import { ngettext, t } from "../i18n.js";
import { ask, bytes, download, h, time } from "../ui.js";

function describe(item) {
  if (item.kind === "photo") return t("Photo for a %(kind)s, %(size)s, %(bytes)s", { kind: NAMES[item.recordType] || item.recordType, size: `${item.width}×${item.height}`, bytes: bytes(item.size) });
  if (item.kind === "delete") return t("Delete: %(what)s", { what: item.record.text || item.target });
  const r = item.record;
  return r.title || r.name || r.text || r.id;
}

export async function viewLedger() {
  const waitingFor = new Set(app.items.filter((i) => i.kind === "record").map((i) => i.id));
  const s = app.syncer;
  const persisted = navigator.storage && navigator.storage.persisted ? await navigator.storage.persisted() : false;
  const estimate = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : null;
  const threshold = h("input", { type: "number", id: "gps-warn", min: 1, max: 5000, value: gpsWarn(), inputmode: "numeric" });
  threshold.addEventListener("change", () => localStorage.setItem(`gemba.gpsWarn.${app.me.id}`, String(Number(threshold.value) || "")));
  return [
    h("div", { class: "page-head" }, h("h1", {}, t("Sync ledger")),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "button primary", id: "sync-now", onclick: () => app.syncer.run() }, t("Sync now")),
        h("button", { type: "button", class: "button", id: "export-queue", onclick: exportQueue, disabled: !app.items.length }, t("Export queue")))),
    h("p", { class: "muted" }, app.items.length
      ? ngettext("%(num)s item on this phone waits for the server.", "%(num)s items on this phone wait for the server.", app.items.length) + ` ${s.message || ""}`
      : t("Everything on this phone is on the server.")),
    app.items.length
      ? h("ol", { class: "ledger" }, app.items.map((item) => {
        const blocked = item.kind === "photo" && waitingFor.has(item.record);
        const state = item.state === "rejected" ? t("rejected") : blocked ? t("waits for its record") : t("waiting");
        return h("li", { class: `ledger-item state-${item.state}` },
          h("div", { class: "record-head" }, h("span", { class: "kind" }, LABELS[item.type] || item.type),
            h("span", { class: item.state === "rejected" ? "badge badge-gap" : "badge badge-unsynced" }, state)),
          h("p", { class: "record-main" }, describe(item)),
          h("p", { class: "meta" }, t("queued %(time)s", { time: time(item.createdAt) }) + " · " + (item.attempts ? ngettext("tried once", "tried %(num)s times", item.attempts) : t("not sent yet"))),
          item.error ? h("p", { class: item.state === "rejected" ? "error" : "hint" }, t("Last error: %(error)s", { error: item.error })) : null,
          item.state === "rejected" ? h("div", { class: "record-actions" },
            item.kind === "record" ? link(`/app/edit/${item.id}`, t("Edit")) : null,
            h("button", { type: "button", class: "link", onclick: async () => { await app.queue.retry(item.id); await refreshLocal(); render(); app.syncer.run(); } }, t("Send again")),
            h("button", { type: "button", class: "link", onclick: () => discard(item) }, t("Discard"))) : null);
      }))
      : null,
    h("section", { class: "card" }, h("h2", {}, t("On this phone")),
      h("p", {}, persisted ? t("Storage is persistent: the browser will not clear the queue to free space.")
        : t("Storage is best-effort: keep the app installed and sync often.")),
      estimate ? h("p", { class: "muted" }, t("Using %(bytes)s.", { bytes: bytes(estimate.usage || 0) })) : null,
      h("div", { class: "field" }, h("label", { for: "gps-warn" }, t("Warn when GPS accuracy is worse than (metres)")), threshold)),
  ];
}

async function discard(item) {
  const choice = await ask(t("Discard this item?"), t("It was refused by the server and is not saved anywhere else. Export the queue first to keep a copy."),
    [{ label: t("Discard"), value: "discard", class: "danger" }]);
  if (choice !== "discard") return;
  await app.queue.discard(item.id);
  await refreshLocal();
  render();
}

// -- export: the queue as a Gemba JSON file (and its photos as a zip) -----------------------

export async function exportQueue() {
  const { zip } = await import("../zip.js");
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const records = app.items.filter((i) => i.kind === "record").map((i) => i.record);
  download(new Blob([JSON.stringify({ format: "gemba/v1", records }, null, 1)], { type: "application/json" }),
    `gemba-queue-${stamp}.json`);
  const photos = app.items.filter((i) => i.kind === "photo");
  if (!photos.length) return;
  const files = [];
  const index = [];
  for (const photo of photos) {
    const blob = await app.queue.blob(photo.id);
    if (!blob) continue;
    files.push({ name: `photos/${photo.id}.jpg`, data: new Uint8Array(await blob.arrayBuffer()) });
    // `blur` as the photo would be sent with it (the field of PUT /api/v1/photos/{id}).
    index.push({ id: photo.id, record: photo.record, file: `photos/${photo.id}.jpg`, ...(photo.blur ? { blur: photo.blur } : {}) });
  }
  files.unshift({ name: "photos.json", data: new TextEncoder().encode(JSON.stringify({ format: "gemba/v1-photos", photos: index }, null, 1)) });
  download(zip(files), `gemba-queue-photos-${stamp}.zip`);
}
