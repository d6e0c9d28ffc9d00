// "Contradicts …" on the phone: the server's say-vs-do rules (saydo.js, loaded on first use)
// over the records this phone holds, merged with the gaps the server has confirmed.

import { loadPlans } from "./plans.js";
import { app } from "./state.js";
import { t } from "./i18n.js";
import { h } from "./ui.js";

// Loaded on first use, so the first screen downloads only what it shows.
let saydo = null;
// The walk plans this phone keeps, read once per page: their items' written standards are
// claims like spoken ones, judged here against the facts on their topics.
let plans = null;
let plansById = new Map();
export const loadSaydo = async () => {
  saydo ||= await import("./saydo.js");
  plans ||= loadPlans().then((found) => { plansById = found; }).catch(() => {});
  await plans;
  return saydo;
};

/** Each plan item's standard at the site, as a statement no one said (as the server keeps it):
 * its text the item's question, its claim the standard. Shared items are judged once. */
function standards(siteId) {
  const out = new Map();
  for (const plan of plansById.values()) {
    if (plan.site !== siteId) continue;
    for (const item of plan.items || []) {
      if (!item.standard || out.has(item.id)) continue;
      out.set(item.id, { record: { type: "statement", id: `standard-${item.id}`, text: item.question,
        topic: item.topic, claim: item.standard, standard: item.reference || "" }, state: "server" });
    }
  }
  return [...out.values()];
}

/** "Said …" as a standard says it: 'The standard (SOP-12 rev C) says "always"; …'. */
function voiced(statement, explanation) {
  const said = t("Said %(claim)s").split("%(claim)s")[0]; // the catalogs keep the claim last
  if (statement.standard === undefined || !explanation.startsWith(said)) return explanation;
  const rest = explanation.slice(said.length);
  return statement.standard ? t("The standard (%(standard)s) says %(claim)s", { standard: statement.standard, claim: rest })
    : t("The standard says %(claim)s", { claim: rest });
}

function walkSite(walkId, byId) {
  const local = byId.get(walkId);
  if (local) return local.record.site;
  const summary = app.walks.find((w) => w.id === walkId);
  return summary ? summary.site : null;
}

export function hints(siteId, byId) {
  const { judge, topicKey } = saydo; // loaded by the views that call this
  const onSite = [...byId.values()].filter(({ record }) => record.walk && walkSite(record.walk, byId) === siteId);
  const facts = new Map();
  for (const entry of onSite) {
    if (entry.record.type !== "fact" || !entry.record.topic) continue;
    const key = topicKey(entry.record.topic);
    if (!facts.has(key)) facts.set(key, []);
    facts.get(key).push(entry);
  }
  const out = [];
  for (const entry of [...onSite, ...standards(siteId)]) {
    const s = entry.record;
    if (s.type !== "statement") continue;
    const evidence = s.topic ? facts.get(topicKey(s.topic)) || [] : [];
    const links = [...byId.values()].filter(({ record }) => record.type === "contradiction" && record.statement === s.id)
      .map(({ record }) => ({ fact_id: record.fact, note: record.note }));
    const verdict = s.claim || links.length
      ? judge(s.claim || null, evidence.map(({ record: f }) => ({ fact_id: f.id, performed: f.performed, value: f.value, unit: f.unit })), links)
      : null;
    const server = app.gaps.get(s.id);
    const onPhone = [entry, ...evidence].some((e) => e.state !== "server" && e.state !== "synced");
    if (verdict && verdict.contradicted && (onPhone || !server || !server.contradicted)) {
      out.push({ statement: s, explanation: voiced(s, verdict.explanation), evidence: verdict.evidence, confirmed: false });
    } else if (server && server.contradicted) {
      out.push({ statement: s, explanation: server.explanation, evidence: server.evidence, confirmed: true });
    }
  }
  return out;
}

export function hintItem(hint, isNew = false) {
  const s = hint.statement;
  const said = s.expired_at ? t("Contradicts a quote whose words were removed (site retention)")
    : s.standard !== undefined ? t("Contradicts the standard: “%(text)s”", { text: s.text })
      : t("Contradicts: “%(text)s”", { text: s.text });
  return h("li", { class: `gap-item${isNew ? " is-new" : ""}` },
    h("strong", {}, said + (s.standard === undefined && s.speaker ? ` — ${s.speaker}` : "")),
    h("span", { class: "explain" }, hint.explanation),
    h("span", { class: hint.confirmed ? "badge badge-done" : "badge badge-phone" },
      hint.confirmed ? t("confirmed by the server") : t("on this phone")));
}
