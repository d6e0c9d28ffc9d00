// Capture forms: preview the chosen photos, and stop a save the server would refuse as
// too large before it uploads for a minute over a weak network. The form works without it.

function formatMB(bytes) {
  return `${(bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0)} MB`;
}

function chosenFiles(form) {
  return [...form.querySelectorAll("input[data-photo-input]")].flatMap((input) => [...input.files]);
}

function refresh(form) {
  const chosen = form.querySelector("[data-photo-chosen]");
  const list = form.querySelector("[data-photo-previews]");
  const summary = form.querySelector("[data-photo-summary]");
  const warning = form.querySelector("[data-photo-warning]");
  for (const img of list.querySelectorAll("img")) URL.revokeObjectURL(img.src);
  list.replaceChildren();
  const files = chosenFiles(form);
  let total = 0;
  for (const file of files) {
    total += file.size;
    const item = document.createElement("li");
    if (file.type.startsWith("image/")) {
      const img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      item.append(img);
    } else {
      const name = document.createElement("span");
      name.className = "is-not-image";
      name.textContent = file.name;
      item.append(name);
    }
    list.append(item);
  }
  chosen.hidden = files.length === 0;
  summary.textContent = files.length
    ? `${files.length} photo${files.length === 1 ? "" : "s"}, ${formatMB(total)}`
    : "";
  const limit = Number(form.dataset.maxBytes) || 0;
  // The limit counts the whole request; leave room for the text fields.
  const over = limit > 0 && total > limit - 65536;
  warning.hidden = !over;
  warning.textContent = over
    ? `These photos are ${formatMB(total)} together; one save can carry ${formatMB(limit)}. ` +
      "Remove some and add them afterwards with Edit."
    : "";
  return !over;
}

for (const form of document.querySelectorAll("form[data-photo-form]")) {
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[data-photo-input]")) refresh(form);
  });
  form.querySelector("[data-photo-clear]")?.addEventListener("click", () => {
    for (const input of form.querySelectorAll("input[data-photo-input]")) input.value = "";
    refresh(form);
  });
  form.addEventListener("submit", (event) => {
    if (!refresh(form)) {
      event.preventDefault();
      form.querySelector("[data-photo-warning]").scrollIntoView({ block: "center" });
      return;
    }
    const button = form.querySelector("button[type=submit]");
    if (button && chosenFiles(form).length) {
      button.setAttribute("aria-busy", "true");
      button.dataset.label = button.textContent;
      button.textContent = "Saving with photos…";
    }
  });
}

// Coming back to the page from the history: the button says "Save" again.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("form[data-photo-form] button[aria-busy]")) {
    button.textContent = button.dataset.label;
    button.removeAttribute("aria-busy");
  }
});
