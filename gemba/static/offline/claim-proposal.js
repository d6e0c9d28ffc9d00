// A claim proposed from the quote, on the statement form: as the observer types what was
// said, the quote is read on the phone with the server's rules (quote-claims.js over
// claim_rules.json, a shell file the service worker keeps) and one chip offers it —
// "Proposed: always · topic “wear gloves” — Use". Nothing is set until Use is tapped; Use
// fills the claim picker, the measure fields and the topic (when it is empty), all still
// editable. Online, the site's topics most like the proposed one are offered too. The quote
// is read in the page's language (<html lang>), English where the rules have none.

import { loadRules, suggest } from "./quote-claims.js";
import { askServer, debounced } from "./topic-suggest.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";
import { choiceLabel } from "./vocabulary.js";

const RULES_URL = new URL("../claim-rules.json", import.meta.url).href;
let rules = null;

/** The rules, fetched once (from the service worker's cache offline); null if unreadable. */
export function claimRules() {
  if (!rules) rules = loadRules(RULES_URL).catch(() => { rules = null; return null; });
  return rules;
}

/** The language the observer types in: the page's, as the server rendered it. */
export function quoteLanguage(doc = document) {
  return doc.documentElement.lang || "en";
}

/** A claim as a person reads it: "always", "≤ 5 min", "10 min ±20%". */
export function claimText(claim) {
  if (claim.frequency) return choiceLabel("claim", claim.frequency).toLowerCase();
  const amount = [claim.value, claim.unit].filter((x) => x !== undefined && x !== null && x !== "").join(" ");
  if (claim.comparator === "<=") return `≤ ${amount}`;
  if (claim.comparator === ">=") return `≥ ${amount}`;
  return `${amount} ±${Math.round((claim.tolerance ?? 0.2) * 100)}%`;
}

function setValue(form, name, value) {
  const el = form.querySelector(`[name="${name}"]:not([type=radio])`);
  if (!el) return;
  el.value = value ?? "";
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Put a proposed claim (and the topic, when none is typed) into the form's fields. */
export function applyProposal(form, { claim, topic }) {
  if (claim) {
    const choice = claim.frequency || "measure";
    const radio = form.querySelector(`input[name=claim][value="${choice}"]`);
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (!claim.frequency) {
      setValue(form, "claim_value", claim.value);
      setValue(form, "claim_unit", claim.unit);
      setValue(form, "claim_comparator", claim.comparator || "");
      if (claim.tolerance !== undefined) setValue(form, "claim_tolerance", claim.tolerance * 100);
    }
  }
  const topicField = form.querySelector("input[name=topic]");
  if (topic && topicField && !topicField.value.trim()) setValue(form, "topic", topic);
}

/** Wire the statement form: a chip under the quote with the proposal and, online, known topics. */
export function proposeClaims(form, siteId) {
  const text = form.querySelector("textarea[name=text]");
  if (!text) return;
  const chip = h("div", { class: "proposal", "aria-live": "polite" });
  text.after(chip);
  const topicChips = (names) => (names.length ? h("div", { class: "suggest proposal-topics", role: "group", "aria-label": t("Known topics like it") },
    h("span", { class: "muted" }, t("Known topics:")),
    names.map((name) => h("button", { type: "button", class: "suggestion", onclick: () => setValue(form, "topic", name) }, name))) : null);
  const show = async (quote, signal) => {
    const found = quote.trim() ? await claimRules().then((r) => (r ? suggest(quote, r, quoteLanguage()) : null)) : null;
    if (signal.aborted) return;
    if (!found || (!found.claim && !found.topic)) {
      chip.replaceChildren();
      return;
    }
    const words = [found.claim ? claimText(found.claim) : null, found.topic ? t("topic “%(topic)s”", { topic: found.topic }) : null].filter(Boolean);
    const use = h("button", { type: "button", class: "button small proposal-use", onclick: () => {
      applyProposal(form, found);
      chip.replaceChildren(h("p", { class: "hint" }, t("Used: %(proposal)s. Change any field if it is not right.", { proposal: words.join(" · ") })));
    } }, t("Use"));
    chip.replaceChildren(h("div", { class: "proposal-chip" }, h("span", {}, t("Proposed: %(proposal)s", { proposal: words.join(" · ") })), use));
    if (!found.topic || !siteId || !navigator.onLine) return;
    const body = await askServer(`/api/v1/claims/suggest?site=${encodeURIComponent(siteId)}&lang=${encodeURIComponent(quoteLanguage())}&text=${encodeURIComponent(quote)}`, signal);
    if (signal.aborted || !body || !Array.isArray(body.topics)) return;
    const names = body.topics.map((t) => t.name).filter((n) => n && n.toLowerCase() !== found.topic.toLowerCase()).slice(0, 3);
    const extra = topicChips(names);
    if (extra) chip.append(extra);
  };
  const later = debounced(show);
  text.addEventListener("input", () => later(text.value));
}
