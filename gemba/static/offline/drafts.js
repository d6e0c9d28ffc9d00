// What the phone remembers between forms, in localStorage (kept through a reload, a crashed
// tab or a flat battery): half-filled forms until they are saved or discarded, and what the
// last record of a walk was about (place, persona, topic), which the next form starts with.

import { app } from "./state.js";

const draftKey = (key) => `gemba.draft.${app.me.id}.${key}`;
const carryKey = (walkId) => `gemba.carry.${app.me.id}.${walkId}`;

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

/** Keep the form's typed values under `key` (files are not kept: they are the camera's). */
export function saveDraft(key, form, recordId) {
  const fields = [...new FormData(form)].filter(([, v]) => typeof v === "string");
  try {
    localStorage.setItem(draftKey(key), JSON.stringify({ id: recordId, fields, at: new Date().toISOString() }));
  } catch {
    // Storage full: the form still works; the draft is just not kept.
  }
}

export const loadDraft = (key) => read(draftKey(key));
export const clearDraft = (key) => localStorage.removeItem(draftKey(key));

/** Put a draft's values back into a form built for the same record. */
export function restoreDraft(form, draft) {
  const byName = new Map();
  for (const [name, value] of draft.fields) {
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name).push(value);
  }
  for (const control of form.elements) {
    if (!control.name || control.type === "file" || control.type === "submit" || control.type === "button") continue;
    const values = byName.get(control.name) || [];
    if (control.type === "radio" || control.type === "checkbox") control.checked = values.includes(control.value);
    else if (byName.has(control.name)) control.value = values[0];
  }
}

/** What the walk's next record starts with: the last place, persona and topic. */
export const carried = (walkId) => read(carryKey(walkId)) || {};

export function carryOver(record) {
  if (!record.walk) return;
  const now = carried(record.walk);
  if (record.type === "place") now.place = record.id;
  else if (record.type === "fact" || record.type === "statement") {
    // What the observer left on the form is what holds next, cleared fields included.
    now.place = record.place || null;
    now.persona = record.persona || null;
    if (record.topic) now.topic = record.topic;
  }
  localStorage.setItem(carryKey(record.walk), JSON.stringify(now));
}
