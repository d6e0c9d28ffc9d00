// The observer checks what will be blurred in a photo before it is queued. Online, a small
// copy (long edge 1024 px) goes to POST /api/v1/photos/faces and the detector's boxes are
// drawn over the photo; the observer drags a box over anything else to hide and taps a box
// (its ×) to take it off. Offline, or with no answer within 5 s, nothing is proposed: the
// server finds the faces when the photo is sent (`reviewed: false`) and blurs them with the
// observer's boxes. On a works-council site the detector's boxes cannot be taken off.
// Boxes are fractions (0..1) of the upright picture. They are drawn in SVG in screen pixels:
// the page's CSP forbids inline styles, so nothing is placed with a style attribute.

import { downscale } from "./photos.js";
import { app, worksCouncilLine } from "./state.js";
import { ngettext, t } from "./i18n.js";
import { h } from "./ui.js";

export const PROPOSAL_EDGE = 1024;
export const PROPOSAL_TIMEOUT_MS = 5000;
const DRAG_PX = 10; // a pointer that moved less than this tapped
const MIN_BOX_PX = 32; // a dragged box is at least this big on the screen
const TARGET_PX = 24; // a box's × is a 48 px touch target
const SLACK_PX = 8; // a tap this close to a small box counts as on it
// The server blurs a quarter of a box's size beyond each side (domain/faces.py): a face's
// box is drawn that large, so the observer sees the hair and ears are covered too.
const FACE_PAD = 0.25;
const SVG = "http://www.w3.org/2000/svg";

const round = (v) => Math.round(v * 10000) / 10000;
const clamp = (v, low, high) => Math.min(high, Math.max(low, v));

/** A box as the server reads it: x, y, w, h inside the picture, a known source; else null. */
export function cleanBox(box, source) {
  const values = ["x", "y", "w", "h"].map((k) => Number(box && box[k]));
  if (values.some((v) => !Number.isFinite(v))) return null;
  const x = clamp(round(values[0]), 0, 1);
  const y = clamp(round(values[1]), 0, 1);
  const w = clamp(round(values[2]), 0, round(1 - x));
  const hh = clamp(round(values[3]), 0, round(1 - y));
  if (w <= 0 || hh <= 0) return null;
  return { x, y, w, h: hh, source: source || (box.source === "detector" ? "detector" : "observer") };
}

/** What a photo is queued with: the boxes, and whether they are the observer's final list
 * (true only when the detector's proposals were received and shown). */
export function blurData(boxes, reviewed) {
  return { boxes: boxes.map((b) => cleanBox(b)).filter(Boolean), reviewed: Boolean(reviewed) };
}

/** The line under a photo's thumbnail: what will be blurred. */
export function blurHint(blur) {
  const n = blur ? blur.boxes.length : 0;
  if (blur && blur.reviewed) return ngettext("%(num)s area blurred", "%(num)s areas blurred", n);
  return n ? ngettext("%(num)s area blurred, faces found on sending", "%(num)s areas blurred, faces found on sending", n)
    : t("Faces found on sending");
}

class NoProposals extends Error {}

async function csrfToken(fetchImpl, signal, fresh) {
  const known = !fresh && ((app.syncer && app.syncer.csrf) || (app.me && app.me.csrf_token));
  if (known) return known;
  const response = await fetchImpl("/app/me", { cache: "no-store", credentials: "same-origin", signal });
  if (!response.ok) throw new NoProposals("session");
  return (await response.json()).csrf_token;
}

/** The detector's boxes for a photo, within `timeout` ms; rejects with NoProposals
 * ("offline", "timeout", "network" or "refused") otherwise. */
export async function proposeFaces(blob, { fetchImpl = (...a) => fetch(...a), timeout = PROPOSAL_TIMEOUT_MS } = {}) {
  if (typeof navigator !== "undefined" && navigator.onLine === false) throw new NoProposals("offline");
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const small = await downscale(blob, PROPOSAL_EDGE);
    let response;
    for (let attempt = 0; attempt < 2; attempt++) {
      const form = new FormData();
      form.append("file", small.blob, "photo.jpg");
      const token = await csrfToken(fetchImpl, controller.signal, attempt > 0);
      response = await fetchImpl("/api/v1/photos/faces", {
        method: "POST", credentials: "same-origin", body: form, signal: controller.signal,
        headers: { Accept: "application/json", "X-CSRFToken": token },
      });
      // A token that expired with a long walk: a fresh one, once.
      if (response.status !== 400 || attempt > 0 || !/csrf/i.test(await response.clone().text())) break;
    }
    if (!response.ok) throw new NoProposals("refused");
    const body = await response.json();
    return { boxes: (body.boxes || []).map((b) => cleanBox(b, "detector")).filter(Boolean), detector: body.detector || "" };
  } catch (error) {
    if (error instanceof NoProposals) throw error;
    throw new NoProposals(controller.signal.aborted ? "timeout" : "network");
  } finally {
    clearTimeout(timer);
  }
}

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

/** Where a box is drawn, in fractions: a face's with the server's padding, inside the photo. */
function shown(box) {
  if (box.source !== "detector") return box;
  const x = Math.max(0, box.x - box.w * FACE_PAD);
  const y = Math.max(0, box.y - box.h * FACE_PAD);
  return { x, y, w: Math.min(1, box.x + box.w * (1 + FACE_PAD)) - x, h: Math.min(1, box.y + box.h * (1 + FACE_PAD)) - y };
}

/** The × on a box (or, where it cannot be taken off, a padlock), just off its top right corner. */
function corner(box, cw, ch) {
  const at = shown(box);
  return { cx: clamp((at.x + at.w) * cw + 4, TARGET_PX, cw - TARGET_PX), cy: clamp(at.y * ch - 4, TARGET_PX, ch - TARGET_PX) };
}

function removeMark({ cx, cy }, label, onRemove) {
  const g = svg("g", { class: "pr-remove", role: "button", tabindex: 0, "aria-label": label });
  g.append(svg("circle", { class: "pr-target", cx, cy, r: TARGET_PX }), svg("circle", { class: "pr-x-disc", cx, cy, r: 14 }),
    svg("path", { class: "pr-x", d: `M${cx - 6} ${cy - 6}L${cx + 6} ${cy + 6}M${cx + 6} ${cy - 6}L${cx - 6} ${cy + 6}` }));
  g.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    onRemove();
  });
  return g;
}

function lockMark({ cx, cy }, label) {
  const g = svg("g", { class: "pr-lock", role: "img", "aria-label": label });
  const title = svg("title");
  title.textContent = label;
  g.append(title, svg("circle", { class: "pr-x-disc", cx, cy, r: 14 }),
    svg("path", { class: "pr-shackle", d: `M${cx - 4} ${cy - 1}v-3a4 4 0 0 1 8 0v3` }),
    svg("rect", { class: "pr-lock-body", x: cx - 6, y: cy - 1, width: 12, height: 8, rx: 1.5 }));
  return g;
}

/**
 * The review sheet of one photo ({id, blob, width, height, blur}). `proposals` is the promise
 * of proposeFaces. The photo's `blur` is kept current while the sheet is open, so a form saved
 * meanwhile queues the photo as shown. Returns {element, done}: done resolves "use" or "discard".
 */
export function reviewPhoto(photo, { proposals, worksCouncil = false, number = 1, total = 1, onChange = () => {} }) {
  const boxes = [...photo.blur.boxes];
  let reviewed = false;
  let closed = false;
  let drag = null;
  let removed = null;
  const locked = (box) => worksCouncil && box.source === "detector";
  const url = URL.createObjectURL(photo.blob);
  const image = h("img", { src: url, alt: "", width: photo.width, height: photo.height, class: "pr-image", draggable: "false" });
  const layer = svg("svg", { class: "pr-boxes", role: "group", "aria-label": t("Areas that will be blurred") });
  const stage = h("div", { class: "pr-stage", role: "application", "aria-roledescription": t("photo"),
    "aria-label": t("The photo: drag across an area to blur it") }, image, layer);
  // What the detector found (or why nothing was), and apart from it what the last touch did.
  const status = h("p", { class: "pr-status", role: "status" }, t("Looking for faces…"));
  const note = h("p", { class: "pr-note", role: "status" });
  const undo = h("button", { type: "button", class: "button small", hidden: true, onclick: () => {
    if (removed) boxes.splice(Math.min(removed.index, boxes.length), 0, removed.box);
    removed = null;
    changed(t("The box is back."));
  } }, t("Put the box back"));
  const titleId = `pr-title-${photo.id}`;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const close = (choice) => {
    closed = true;
    resizes.disconnect();
    URL.revokeObjectURL(url);
    finish(choice);
  };
  const element = h("section", { class: "photo-review", "aria-labelledby": titleId },
    h("h3", { id: titleId, tabindex: "-1" }, t("Check what gets blurred"),
      total > 1 ? h("span", { class: "muted pr-count" }, t("Photo %(number)s of %(total)s", { number, total })) : null),
    worksCouncil ? h("p", { class: "works-council" }, worksCouncilLine()) : null,
    stage, status, note,
    h("p", { class: "hint" }, worksCouncil
      ? t("Drag across anything else to hide it. Faces found stay blurred on this site; tap × to take off a box you drew.")
      : t("Drag across anything else to hide it. Tap × to take a box off.")),
    h("div", { class: "pr-actions" },
      h("button", { type: "button", class: "button primary", onclick: () => close("use") }, t("Use photo")),
      h("button", { type: "button", class: "button", onclick: () => close("discard") }, t("Discard photo")),
      undo));

  function changed(message) {
    photo.blur = blurData(boxes, reviewed);
    onChange(photo.blur);
    undo.hidden = !removed;
    if (message) note.textContent = message;
    draw();
  }

  function removeAt(index) {
    const [box] = boxes.splice(index, 1);
    removed = { box, index };
    changed(t("Box taken off: that area will not be blurred."));
  }

  // The stage's size in CSS pixels, unrounded, so the SVG draws one to one.
  const size = () => {
    const rect = stage.getBoundingClientRect();
    return { cw: rect.width, ch: rect.height };
  };

  function draw() {
    const { cw, ch } = size();
    if (!cw || !ch) return;
    layer.setAttribute("viewBox", `0 0 ${cw} ${ch}`);
    const parts = boxes.map((box, i) => {
      const b = shown(box);
      const at = { x: b.x * cw, y: b.y * ch, width: b.w * cw, height: b.h * ch };
      const g = svg("g", { class: `pr-box pr-${box.source}` });
      g.append(svg("rect", { class: "pr-halo", ...at }), svg("rect", { class: "pr-line", ...at }));
      const label = box.source === "detector" ? t("Face %(number)s", { number: i + 1 }) : t("Your box %(number)s", { number: i + 1 });
      g.append(locked(box) ? lockMark(corner(box, cw, ch), t("%(box)s: stays blurred on a works-council site", { box: label }))
        : removeMark(corner(box, cw, ch), t("Take off %(box)s", { box: label }), () => { removeAt(i); undo.focus(); }));
      return g;
    });
    if (drag && drag.moved) {
      const r = dragRect(drag, cw, ch);
      parts.push(svg("rect", { class: "pr-draft", x: r.x, y: r.y, width: r.w, height: r.h }));
    }
    layer.replaceChildren(...parts);
  }

  const point = (event) => {
    const rect = stage.getBoundingClientRect();
    return { x: clamp(event.clientX - rect.left, 0, rect.width), y: clamp(event.clientY - rect.top, 0, rect.height) };
  };

  function dragRect(d, cw, ch) {
    let x = Math.min(d.x0, d.x1);
    let y = Math.min(d.y0, d.y1);
    let w = Math.abs(d.x1 - d.x0);
    let hh = Math.abs(d.y1 - d.y0);
    if (w < MIN_BOX_PX) { x -= (MIN_BOX_PX - w) / 2; w = MIN_BOX_PX; }
    if (hh < MIN_BOX_PX) { y -= (MIN_BOX_PX - hh) / 2; hh = MIN_BOX_PX; }
    w = Math.min(w, cw);
    hh = Math.min(hh, ch);
    return { x: clamp(x, 0, cw - w), y: clamp(y, 0, ch - hh), w, h: hh };
  }

  /** A tap: on a × (the nearest), else on the smallest box under it. */
  function tap(p) {
    const { cw, ch } = size();
    let hit = -1;
    let best = Infinity;
    boxes.forEach((box, i) => {
      const c = corner(box, cw, ch);
      const d = Math.hypot(c.cx - p.x, c.cy - p.y);
      if (d <= TARGET_PX && d < best) { best = d; hit = i; }
    });
    if (hit < 0) {
      boxes.map(shown).forEach((box, i) => {
        const inside = p.x >= box.x * cw - SLACK_PX && p.x <= (box.x + box.w) * cw + SLACK_PX
          && p.y >= box.y * ch - SLACK_PX && p.y <= (box.y + box.h) * ch + SLACK_PX;
        if (inside && box.w * box.h < best) { best = box.w * box.h; hit = i; }
      });
    }
    if (hit < 0) note.textContent = t("Drag across an area to blur it.");
    else if (locked(boxes[hit])) note.textContent = t("On a works-council site, faces found stay blurred.");
    else removeAt(hit);
  }

  stage.addEventListener("pointerdown", (event) => {
    if (closed || event.button > 0 || drag) return;
    event.preventDefault();
    const p = point(event);
    drag = { id: event.pointerId, x0: p.x, y0: p.y, x1: p.x, y1: p.y, moved: false };
    stage.setPointerCapture(event.pointerId);
  });
  stage.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const p = point(event);
    Object.assign(drag, { x1: p.x, y1: p.y });
    drag.moved = drag.moved || Math.hypot(p.x - drag.x0, p.y - drag.y0) >= DRAG_PX;
    if (drag.moved) draw();
  });
  stage.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    const end = point(event);
    Object.assign(d, { x1: end.x, y1: end.y, moved: d.moved || Math.hypot(end.x - d.x0, end.y - d.y0) >= DRAG_PX });
    if (!d.moved) return tap({ x: d.x0, y: d.y0 });
    const { cw, ch } = size();
    const r = dragRect(d, cw, ch);
    boxes.push({ x: r.x / cw, y: r.y / ch, w: r.w / cw, h: r.h / ch, source: "observer" });
    removed = null;
    changed(t("Box added: that area will be blurred."));
  });
  stage.addEventListener("pointercancel", () => { drag = null; draw(); });

  const resizes = new ResizeObserver(() => draw());
  resizes.observe(stage);

  Promise.resolve(proposals).then((found) => {
    if (closed) return; // used before the answer came: the server looks for faces itself
    boxes.unshift(...found.boxes);
    reviewed = true;
    if (removed) removed.index += found.boxes.length;
    changed();
    status.textContent = found.boxes.length
      ? ngettext("%(num)s face found; it will be blurred.", "%(num)s faces found; they will be blurred.", found.boxes.length)
      : t("No faces found.");
  }, (error) => {
    if (closed) return;
    status.textContent = error && error.message === "refused"
      ? t("Faces could not be looked for now: they will be found and blurred when the photo is sent. Add boxes over anything else to hide.")
      : t("No connection: faces will be found and blurred when the photo is sent. Add boxes over anything else to hide.");
  });
  return { element, done };
}
