// Parts of the capture forms that talk to the phone: the camera (photos shrunk, then what gets
// blurred checked, before they are queued) and the location (with a warning for a poor fix).

import { blurData, blurHint, proposeFaces, reviewPhoto } from "./photo-review.js";
import { downscale } from "./photos.js";
import { ngettext, t } from "./i18n.js";
import { bytes, h } from "./ui.js";

let serial = 0;
const fieldId = (name) => `p-${name}-${++serial}`;

/** The photo field: each picked photo is shrunk, joins `photos` and is reviewed (its face
 * boxes, photo-review.js), one after another when several are picked at once. A photo's
 * `blur` follows the review, so a form saved during one queues the photo as shown. */
export function photoField(photos, { worksCouncil = false } = {}) {
  const list = h("ul", { class: "photo-list" });
  const status = h("p", { class: "hint", "aria-live": "polite" }, t("Optional. Shrunk to 2048 px on this phone before it is queued."));
  const picker = h("input", { type: "file", name: "photo", accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden", id: fieldId("photo") });
  const sheets = h("div", { class: "photo-reviews" });
  let reviews = Promise.resolve();
  const ready = () => ngettext("%(num)s photo ready.", "%(num)s photos ready.", photos.length);

  async function review(photo, proposals, item, hint, number, total) {
    const sheet = reviewPhoto(photo, { proposals, worksCouncil, number, total, onChange: (blur) => { hint.textContent = blurHint(blur); } });
    sheets.append(sheet.element);
    sheet.element.scrollIntoView({ block: "start" });
    sheet.element.querySelector("h3").focus({ preventScroll: true });
    const choice = await sheet.done;
    sheet.element.remove();
    if (choice === "discard") {
      photos.splice(photos.indexOf(photo), 1);
      item.remove();
      status.textContent = t("Photo discarded.") + " " + ready();
    }
  }

  picker.addEventListener("change", async () => {
    const files = [...picker.files];
    picker.value = "";
    for (const [index, file] of files.entries()) {
      status.textContent = t("Shrinking %(file)s…", { file: file.name });
      try {
        const shrunk = await downscale(file);
        const photo = { id: crypto.randomUUID(), ...shrunk, blur: blurData([], false) };
        photos.push(photo);
        // Asked at once, so the next photo's boxes are there when its review opens.
        const proposals = proposeFaces(shrunk.blob);
        proposals.catch(() => {});
        const url = URL.createObjectURL(shrunk.blob);
        const hint = h("span", { class: "hint" }, blurHint(photo.blur));
        const item = h("li", {}, h("img", { src: url, alt: t("Photo %(number)s", { number: photos.length }), width: 72, height: 72 }),
          h("span", { class: "photo-facts" }, h("span", { class: "muted" }, `${shrunk.width}×${shrunk.height}, ${bytes(shrunk.blob.size)}`), hint));
        list.append(item);
        status.textContent = ready();
        const number = index + 1;
        reviews = reviews.then(() => review(photo, proposals, item, hint, number, files.length));
      } catch {
        status.textContent = t("%(file)s could not be read as a photo.", { file: file.name });
      }
    }
  });
  return h("div", { class: "field" },
    h("label", { for: picker.id, class: "button" }, "◎ " + t("Add photo")), picker, status, sheets, list);
}

export function gpsField(record, warnMetres) {
  const lat = h("input", { type: "hidden", name: "lat", value: record.lat ?? "" });
  const lon = h("input", { type: "hidden", name: "lon", value: record.lon ?? "" });
  const acc = h("input", { type: "hidden", name: "accuracy_m", value: record.accuracy_m ?? "" });
  const status = h("p", { class: "hint", "aria-live": "polite" },
    record.lat !== undefined ? t("Location saved (±%(metres)s m).", { metres: Math.round(record.accuracy_m || 0) }) : t("Optional. Needs your permission."));
  const button = h("button", { type: "button", class: "button" }, t("Use my location"));
  button.addEventListener("click", () => {
    if (!("geolocation" in navigator)) {
      status.textContent = t("This browser cannot share a location.");
      return;
    }
    status.textContent = t("Finding your location…");
    navigator.geolocation.getCurrentPosition((position) => {
      const { latitude, longitude, accuracy } = position.coords;
      lat.value = latitude.toFixed(6);
      lon.value = longitude.toFixed(6);
      acc.value = Math.round(accuracy);
      const poor = accuracy > warnMetres;
      status.className = poor ? "hint warn" : "hint";
      status.textContent = poor
        ? t("Poor fix: ±%(metres)s m, worse than your %(threshold)s m threshold. Move to open sky and try again, or keep it.",
          { metres: Math.round(accuracy), threshold: warnMetres })
        : t("Location saved (±%(metres)s m).", { metres: Math.round(accuracy) });
    }, (error) => {
      status.textContent = error.code === error.PERMISSION_DENIED
        ? t("Location permission was refused; the place is saved without it.")
        : t("No location fix; the place is saved without it.");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
  return h("div", { class: "field geo" }, button, status, lat, lon, acc);
}
