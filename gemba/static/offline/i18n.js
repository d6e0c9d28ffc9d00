// The app's words in the observer's language. The shell embeds the catalog of its language
// as JSON ({msgid: msgstr}, a plural's forms as a list; made by offline/views.py from
// translations/<language>/offline.po), so the phone speaks it offline too. The English text
// is the key: a word with no translation shows in English.

const element = typeof document === "undefined" ? null : document.getElementById("i18n");
const data = element ? JSON.parse(element.textContent) : { language: "en", messages: {} };

export const LANGUAGE = data.language || "en";
const MESSAGES = data.messages || {};

// The plural form of n, as the catalogs' Plural-Forms headers have it.
const PLURALS = {
  pl: (n) => (n === 1 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 1 : 2),
};
const pluralForm = PLURALS[LANGUAGE] || ((n) => (n === 1 ? 0 : 1));

/** Python's "%(name)s" % params: placeholders filled, "%%" a percent sign. */
function fill(text, params) {
  if (!params) return text;
  return text.replace(/%%|%\((\w+)\)[sd]/g, (whole, name) => {
    if (whole === "%%") return "%";
    return name in params ? String(params[name]) : whole;
  });
}

/** t("Sync now") -> "Jetzt senden"; t("Walk started: %(title)s.", {title}) fills it in. */
export function t(msgid, params) {
  const found = MESSAGES[msgid];
  return fill(typeof found === "string" && found ? found : msgid, params);
}

/** pt("add bar", "Thing"): the word as this context says it (the catalog keys it
 * "context\u0004msgid", as gettext does), so one English word can read two ways. */
export function pt(context, msgid, params) {
  const found = MESSAGES[`${context}\u0004${msgid}`];
  return fill(typeof found === "string" && found ? found : msgid, params);
}

/** ngettext("%(num)s item", "%(num)s items", n): the form for n; `num` is n unless given. */
export function ngettext(singular, plural, n, params = {}) {
  const forms = MESSAGES[singular];
  const text = Array.isArray(forms) && forms[pluralForm(n)] ? forms[pluralForm(n)] : n === 1 ? singular : plural;
  return fill(text, { num: n, ...params });
}
