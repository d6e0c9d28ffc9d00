// Retention's marks in the app (docs/retention.md): where a site's retention removed a
// record's words (`expired_at` set), the app says so instead of showing an empty quote.

import { t } from "./i18n.js";
import { day } from "./ui.js";

/** The words of a quote, or its mark once the site's retention removed them. */
export function saidWords(s, zone) {
  return s.expired_at ? t("Words removed on %(date)s (site retention)", { date: day(s.expired_at, zone) }) : s.text;
}

/** The text of a fact, or its mark once the site's retention removed it. */
export function seenWords(r, zone) {
  return r.expired_at ? t("Note removed on %(date)s (site retention)", { date: day(r.expired_at, zone) }) : r.text;
}
