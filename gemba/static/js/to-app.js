// Capture happens in the offline app; these server pages are its fallback without JavaScript.
// Sends the browser to the same screen in the app, unless the observer chose the basic pages
// (?basic=1 remembers the choice on this browser, ?basic=0 forgets it).
const target = document.querySelector('meta[name="gemba-app"]');
const choice = new URLSearchParams(location.search).get("basic");
if (choice === "1") localStorage.setItem("gemba.basic", "1");
if (choice === "0") localStorage.removeItem("gemba.basic");
if (target && "serviceWorker" in navigator && "indexedDB" in window && !localStorage.getItem("gemba.basic")) {
  location.replace(target.content);
}
