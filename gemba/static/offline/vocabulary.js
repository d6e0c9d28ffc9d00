// The capture vocabulary, from the server: the fields of each form in order with their labels
// and hints, and every choice. The shell embeds it as JSON (capture/vocabulary.py makes it),
// so the phone speaks the server's words offline too; nothing here repeats them.

const data = JSON.parse(document.getElementById("vocabulary").textContent);

export const FIELDS = data.fields;
export const CHOICES = data.choices;
export const DEFAULTS = data.defaults;
export const UNITS = data.units;
export const FREQUENCIES = data.frequencies;
export const FACT_FIRST_SCREEN = new Set(data.fact_first_screen);
export const FACT_TEXT_MISSING = data.fact_text_missing;
export const NONE = data.none;
export const NO_STATEMENT = data.no_statement;
export const OWN_WALK = data.own_walk;
export const WALK_BANNERS = data.walk_banners;

const field = (kind, name) => FIELDS[kind].find((f) => f.name === name) || { label: name, hint: "" };
export const label = (kind, name) => field(kind, name).label;
export const hint = (kind, name) => field(kind, name).hint;

/** A choice's label, e.g. choiceLabel("outcome", "not_done") -> "Not done". */
export function choiceLabel(name, value) {
  const hit = CHOICES[name].find(([v]) => v === value);
  return hit ? hit[1] : value;
}

/** The words of a fact logged without any: "topic — outcome" (the server writes the same). */
export function factText(topic, outcome) {
  if (!topic) return "";
  return data.fact_text.replace("{topic}", topic).replace("{outcome}", choiceLabel("outcome", outcome).toLowerCase());
}
