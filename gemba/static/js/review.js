// Keyboard shortcuts and small helpers for the analyst pages. No inline scripts: a
// strict Content-Security-Policy applies. Everything here is a shortcut for a link or
// a button that also works without JavaScript.

const typing = (target) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

function rows() {
  return Array.from(document.querySelectorAll("[data-rows] [data-row]"));
}

function moveRow(step) {
  const all = rows();
  if (!all.length) return;
  const current = all.indexOf(document.activeElement);
  const next = current === -1 ? (step > 0 ? 0 : all.length - 1) : current + step;
  const target = all[Math.max(0, Math.min(all.length - 1, next))];
  target.focus();
  target.scrollIntoView({ block: "nearest" });
}

function follow(selector) {
  const link = document.querySelector(selector);
  if (link instanceof HTMLAnchorElement) {
    window.location.assign(link.href);
    return true;
  }
  return false;
}

function focusTriage(name) {
  const form = document.querySelector(`[data-triage="${name}"]`);
  if (!form) return false;
  const field = form.querySelector("textarea, input:not([type=hidden])");
  if (name === "dismiss" || !field) {
    (field || form.querySelector("button")).focus();
    return true;
  }
  form.querySelector("button[type=submit]").focus();
  return true;
}

function openFilters() {
  const details = document.querySelector("details.filters");
  if (!details) return false;
  details.open = true;
  const first = details.querySelector("select, input:not([type=hidden])");
  if (first) first.focus();
  return true;
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  if (typing(event.target)) {
    if (event.key === "Escape" && event.target instanceof HTMLElement) event.target.blur();
    return;
  }
  const onList = rows().length > 0;
  let handled = false;
  switch (event.key) {
    case "j":
    case "ArrowDown":
      if (onList) {
        moveRow(1);
        handled = true;
      } else if (event.key === "j") handled = follow("[data-key-next]");
      break;
    case "k":
    case "ArrowUp":
      if (onList) {
        moveRow(-1);
        handled = true;
      } else if (event.key === "k") handled = follow("[data-key-prev]");
      break;
    case "]":
      handled = follow("[data-key-next]");
      break;
    case "[":
      handled = follow("[data-key-prev]");
      break;
    case "/":
      handled = openFilters();
      break;
    case "u":
      handled = follow("[data-key-back]");
      break;
    case "c":
      handled = focusTriage("confirm");
      break;
    case "o":
      handled = focusTriage("observe");
      break;
    case "d":
      handled = focusTriage("dismiss");
      break;
    case "a":
      handled = follow("[data-key-action]");
      break;
    default:
      break;
  }
  if (handled) event.preventDefault();
});

for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
