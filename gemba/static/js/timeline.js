// A link to a record of a long walk (/walks/<id>#r-<record>) may point past the first page
// of its timeline: open the page that holds the record instead (?record=<record>).
const hash = window.location.hash;
if (/^#r-[0-9a-f-]{36}$/.test(hash) && !document.getElementById(hash.slice(1))) {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("record")) {
    url.searchParams.delete("page");
    url.searchParams.set("record", hash.slice(3));
    window.location.replace(url.toString());
  }
}
