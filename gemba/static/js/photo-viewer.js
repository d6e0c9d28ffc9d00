// Full-screen photo viewer, usable with one thumb: tap a thumbnail to open its
// display copy, swipe or tap the arrows for the next or previous photo of the same
// record, tap the photo (or swipe down, Escape, the phone's Back) to close.
// Without this script every thumbnail is a plain link to its display copy.

const SWIPE = 50; // px of horizontal travel that turns a drag into next/previous
const TAP = 10; // px of travel under which a touch is a tap

let viewer = null;

function build() {
  const dialog = document.createElement("dialog");
  dialog.className = "photo-viewer";
  dialog.setAttribute("aria-label", "Photo viewer");
  dialog.innerHTML = `
    <figure class="pv-stage" data-pv-stage><img class="pv-image" alt=""></figure>
    <div class="pv-bar">
      <button type="button" class="pv-button pv-prev" aria-label="Previous photo">‹</button>
      <span class="pv-count" aria-live="polite"></span>
      <button type="button" class="pv-button pv-next" aria-label="Next photo">›</button>
    </div>
    <button type="button" class="pv-button pv-close" aria-label="Close photo">×</button>`;
  document.body.append(dialog);
  const v = {
    dialog,
    stage: dialog.querySelector("[data-pv-stage]"),
    image: dialog.querySelector(".pv-image"),
    count: dialog.querySelector(".pv-count"),
    prev: dialog.querySelector(".pv-prev"),
    next: dialog.querySelector(".pv-next"),
    close: dialog.querySelector(".pv-close"),
    links: [],
    index: 0,
    opener: null,
    pushed: false,
  };
  v.prev.addEventListener("click", () => show(v.index - 1));
  v.next.addEventListener("click", () => show(v.index + 1));
  v.close.addEventListener("click", requestClose);
  // Escape: close through the same path as the buttons, so the history entry goes too.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    requestClose();
  });
  dialog.addEventListener("close", () => {
    v.image.removeAttribute("src");
    if (v.opener && document.contains(v.opener)) v.opener.focus();
  });
  // On the document: a button that just became disabled drops the focus to the body.
  document.addEventListener("keydown", (event) => {
    if (!dialog.open) return;
    if (event.key === "ArrowLeft") show(v.index - 1);
    else if (event.key === "ArrowRight") show(v.index + 1);
  });
  followSwipes(v);
  return v;
}

function followSwipes(v) {
  let start = null;
  let swiped = false;
  v.stage.addEventListener("pointerdown", (event) => {
    if (!event.isPrimary) return;
    start = { x: event.clientX, y: event.clientY, id: event.pointerId };
    swiped = false;
    v.stage.classList.add("is-dragging");
  });
  v.stage.addEventListener("pointermove", (event) => {
    if (!start || event.pointerId !== start.id) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    // Follow the finger: sideways to change photo, downwards to close.
    if (Math.abs(dx) >= Math.abs(dy)) v.image.style.transform = `translateX(${dx}px)`;
    else if (dy > 0) v.image.style.transform = `translateY(${dy}px)`;
  });
  const end = (event) => {
    if (!start || event.pointerId !== start.id) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    start = null;
    v.stage.classList.remove("is-dragging");
    v.image.style.transform = "";
    if (event.type === "pointercancel") return;
    if (Math.abs(dx) > SWIPE && Math.abs(dx) > Math.abs(dy)) {
      swiped = true;
      show(v.index + (dx < 0 ? 1 : -1));
    } else if (dy > SWIPE * 1.5 && dy > Math.abs(dx)) {
      swiped = true;
      requestClose();
    } else if (Math.abs(dx) > TAP || Math.abs(dy) > TAP) {
      swiped = true; // a drag that went nowhere is not a tap either
    }
  };
  v.stage.addEventListener("pointerup", end);
  v.stage.addEventListener("pointercancel", end);
  // A tap (or a mouse click) closes: the browser's own tap detection decides what a tap is.
  v.stage.addEventListener("click", () => {
    if (swiped) swiped = false;
    else requestClose();
  });
}

function show(index) {
  const v = viewer;
  if (index < 0 || index >= v.links.length) return;
  v.index = index;
  const link = v.links[index];
  const thumb = link.querySelector("img");
  // The thumbnail is already loaded: show it at once, then the sharp copy when it arrives.
  if (thumb && thumb.complete && thumb.currentSrc) v.image.src = thumb.currentSrc;
  const full = new Image();
  full.onload = () => {
    if (v.links[v.index] === link) v.image.src = full.src;
  };
  full.src = link.href;
  v.image.alt = thumb ? thumb.alt : "Photo";
  const total = v.links.length;
  v.count.textContent = total > 1 ? `${index + 1} / ${total}` : "";
  // Keep the focus on a control that still works when one end is reached.
  const focused = document.activeElement;
  v.prev.disabled = index === 0;
  v.next.disabled = index === total - 1;
  if (focused && focused.disabled) (focused === v.next ? v.prev : v.next).focus();
  v.dialog.classList.toggle("is-single", total === 1);
  // Fetch the neighbours now, so a swipe shows them without waiting.
  for (const near of [v.links[index - 1], v.links[index + 1]]) {
    if (near) new Image().src = near.href;
  }
}

function open(link) {
  viewer = viewer || build();
  const strip = link.closest("[data-photo-strip]");
  viewer.links = strip ? [...strip.querySelectorAll("a[data-photo-viewer]")] : [link];
  viewer.opener = link;
  show(Math.max(0, viewer.links.indexOf(link)));
  if (!viewer.dialog.open) {
    viewer.dialog.showModal();
    // A history entry, so the phone's Back button closes the viewer, not the page.
    history.pushState({ gembaPhotoViewer: true }, "");
    viewer.pushed = true;
  }
  viewer.close.focus();
}

function requestClose() {
  if (!viewer || !viewer.dialog.open) return;
  if (viewer.pushed && history.state && history.state.gembaPhotoViewer) {
    history.back(); // popstate closes it
  } else {
    viewer.pushed = false;
    viewer.dialog.close();
  }
}

window.addEventListener("popstate", () => {
  if (viewer && viewer.dialog.open) {
    viewer.pushed = false;
    viewer.dialog.close();
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-photo-viewer]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // new tab
  if (typeof HTMLDialogElement !== "function") return; // very old browser: follow the link
  event.preventDefault();
  open(link);
});
