// DOM helpers for the offline app. Text always goes in as text nodes, never as HTML,
// and nothing sets inline styles: the page's Content-Security-Policy forbids both.

import { LANGUAGE, t } from "./i18n.js";

/** h("p", {class: "muted"}, "text", child, …): an element; null/false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const uuid = () => crypto.randomUUID();

// Times as the server pages show them ("08:10", "03 Dec 2026"), in the site's zone: the
// plant's clock, whatever zone the phone is set to.
const formats = new Map();
// English as the server writes it ("03 Dec 2026"); another language with its own month names.
const LOCALE = LANGUAGE === "en" ? "en-GB" : LANGUAGE;
function format(kind, zone) {
  const key = `${kind}|${zone || ""}`;
  if (!formats.has(key)) {
    const options = kind === "time" ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
      : { day: "2-digit", month: "short", year: "numeric" };
    try {
      formats.set(key, new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: zone }));
    } catch {
      formats.set(key, new Intl.DateTimeFormat(LOCALE, options)); // a zone this browser lacks
    }
  }
  return formats.get(key);
}

export function time(iso, zone) {
  return iso ? format("time", zone).format(new Date(iso)) : "";
}

export function day(iso, zone) {
  return iso ? format("day", zone).format(new Date(iso)) : "";
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A modal question with buttons; resolves with the chosen button's value (null: cancelled). */
export function ask(title, text, buttons) {
  const dialog = document.getElementById("dialog");
  return new Promise((resolve) => {
    const choose = (value) => () => { dialog.close(); resolve(value); };
    dialog.replaceChildren(
      h("h2", { id: "dialog-title" }, title),
      h("p", {}, text),
      h("div", { class: "dialog-actions" },
        buttons.map((b) => h("button", { type: "button", class: `button ${b.class || ""}`, onclick: choose(b.value) }, b.label)),
        h("button", { type: "button", class: "button", onclick: choose(null) }, t("Cancel"))),
    );
    dialog.setAttribute("aria-labelledby", "dialog-title");
    dialog.addEventListener("cancel", () => resolve(null), { once: true });
    dialog.showModal();
  });
}

/** Offer a Blob as a file download. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, class: "visually-hidden" }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
