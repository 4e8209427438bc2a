// Popovers, with the attributes of Glance's templates. An element with
// data-popover-type="text" shows its data-popover-text, and one with
// data-popover-type="html" shows a copy of its [data-popover-html] child.
// A popover opens when the pointer rests on the element, when the element
// gets keyboard focus, and when it is tapped. It closes once none of those
// applies any more (the pointer may move onto the popover), and at once on
// Escape or on a tap elsewhere.
// Optional attributes, with Glance's meaning and defaults:
//   data-popover-position      "below" (default) or "above". The other side is used when there is no room.
//   data-popover-show-delay    milliseconds the pointer rests before it opens (200)
//   data-popover-hide-delay    milliseconds before it closes once the pointer left (500)
//   data-popover-max-width     CSS width of the content (300px)
//   data-popover-offset        which fraction of the popover's width sits at the target point (0.5)
//   data-popover-target-offset where across the target that point is, as a fraction of its width (0.5)
//   data-popover-anchor        a selector inside the element to point at instead of the whole element
//   data-popover-margin        CSS length between the element and the popover (0)
//   data-popover-text-align    text-align of the content
// One popover element serves the page. Text is set as text, never parsed as
// HTML; html popovers copy elements the page already has, so nothing new is
// parsed either.

const DEFAULT_SHOW_DELAY_MS = 200;
const DEFAULT_HIDE_DELAY_MS = 500;
const DEFAULT_MAX_WIDTH = "300px";
// Pixels kept free between the popover and the edges of the viewport.
const VIEWPORT_MARGIN = 8;
// Pixels the arrow stays away from the popover's rounded corners.
const ARROW_INSET = 14;
const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

// The open popover: its target and which of hover, focus and tap keep it open.
let current = null;
// The pending timeout that opens or closes the popover, and the element it opens one for.
let pending = null;
let pendingTarget = null;
let popover = null;
let installed = false;

export function setupPopovers(root) {
  installDocumentListeners();
  if (current && !current.target.isConnected) {
    close();
  }

  const scope = root.matches?.("[data-popover-type]") ? [root] : [];
  for (const target of [...scope, ...root.querySelectorAll("[data-popover-type]")]) {
    if (target.dataset.popoverReady) {
      continue;
    }
    target.dataset.popoverReady = "true";
    setupTarget(target);
  }
}

function setupTarget(target) {
  // Keyboard users reach the popover by tabbing to its element.
  if (!target.matches(FOCUSABLE)) {
    target.tabIndex = 0;
  }

  target.addEventListener("pointerenter", (event) => {
    if (event.pointerType !== "touch") {
      hoverStarted(target);
    }
  });
  target.addEventListener("pointerleave", (event) => {
    if (event.pointerType !== "touch") {
      release(target, "hover");
    }
  });
  target.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "touch") {
      tapped(target);
    }
  });
  // A click gives focus too; only keyboard focus (:focus-visible) opens the popover.
  target.addEventListener("focusin", () => {
    if (target.matches(":focus-visible") || target.querySelector(":focus-visible")) {
      open(target, "focus");
    }
  });
  target.addEventListener("focusout", (event) => {
    if (!popover?.contains(event.relatedTarget)) {
      release(target, "focus");
    }
  });
}

function installDocumentListeners() {
  if (installed) {
    return;
  }
  installed = true;

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) {
      close();
    }
  });
  document.addEventListener("pointerdown", (event) => {
    if (current && !current.target.contains(event.target) && !popover.contains(event.target)) {
      close();
    }
  });
  // Capture scrolls of inner scrollers too, such as a row of cards.
  window.addEventListener("scroll", reposition, { capture: true, passive: true });
  window.addEventListener("resize", reposition, { passive: true });
}

function hoverStarted(target) {
  cancelPending();

  // Moving from one popover's element to the next switches at once, as a tooltip row should.
  if (current) {
    open(target, "hover");
    return;
  }
  pending = setTimeout(() => open(target, "hover"), delay(target.dataset.popoverShowDelay, DEFAULT_SHOW_DELAY_MS));
  pendingTarget = target;
}

function cancelPending() {
  clearTimeout(pending);
  pending = null;
  pendingTarget = null;
}

function tapped(target) {
  if (current?.target === target && current.tap) {
    close();
    return;
  }
  open(target, "tap");
}

function open(target, reason) {
  cancelPending();
  if (current?.target !== target) {
    close();
    if (!fill(target)) {
      return;
    }
    current = { target, hover: false, focus: false, tap: false };
    show(target);
  }
  current[reason] = true;
}

// One reason to stay open ended; with none left the popover closes after the hide delay.
function release(target, reason) {
  if (current?.target !== target) {
    if (pendingTarget === target) {
      cancelPending();
    }
    return;
  }

  current[reason] = false;
  if (current.hover || current.focus || current.tap) {
    return;
  }
  cancelPending();
  pending = setTimeout(close, delay(target.dataset.popoverHideDelay, DEFAULT_HIDE_DELAY_MS));
}

function close() {
  cancelPending();
  if (!current) {
    return;
  }

  current.target.classList.remove("popover-active");
  current.target.removeAttribute("aria-describedby");
  popover.hidden = true;
  popover.querySelector(".popover-content").replaceChildren();
  current = null;
}

function delay(value, fallback) {
  const milliseconds = Number(value);
  return value !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0 ? milliseconds : fallback;
}

function popoverElement() {
  if (popover) {
    return popover;
  }

  popover = document.createElement("div");
  popover.className = "popover";
  popover.id = "luna-popover";
  popover.setAttribute("role", "tooltip");
  popover.hidden = true;
  const frame = document.createElement("div");
  frame.className = "popover-frame";
  const content = document.createElement("div");
  content.className = "popover-content";
  frame.append(content);
  popover.append(frame);

  popover.addEventListener("pointerenter", () => {
    if (current) {
      cancelPending();
      current.hover = true;
    }
  });
  popover.addEventListener("pointerleave", () => {
    if (current) {
      release(current.target, "hover");
    }
  });
  // Focus may move from the element onto a link in the popover and then on again.
  popover.addEventListener("focusout", (event) => {
    if (current && !popover.contains(event.relatedTarget) && !current.target.contains(event.relatedTarget)) {
      release(current.target, "focus");
    }
  });
  document.body.append(popover);
  return popover;
}

// Put the target's text or a copy of its HTML into the popover; returns false when there is nothing to show.
function fill(target) {
  const content = popoverElement().querySelector(".popover-content");
  const type = target.dataset.popoverType;

  if (type === "text") {
    const text = target.dataset.popoverText;
    if (!text) {
      return false;
    }
    content.textContent = text;
  } else if (type === "html") {
    const source = target.querySelector("[data-popover-html]");
    if (!source) {
      return false;
    }
    const copy = source.cloneNode(true);
    copy.removeAttribute("data-popover-html");
    content.replaceChildren(copy);
  } else {
    return false;
  }

  // Content copied out of a widget keeps the styles its classes have there.
  content.className = "popover-content";
  const styles = target.closest("[data-popover-class]")?.dataset.popoverClass;
  if (styles) {
    content.classList.add(...styles.split(/\s+/).filter(Boolean));
  }
  content.style.maxWidth = target.dataset.popoverMaxWidth || DEFAULT_MAX_WIDTH;
  content.style.textAlign = target.dataset.popoverTextAlign || "";
  return true;
}

function show(target) {
  popover.style.setProperty("--popover-margin", target.dataset.popoverMargin || "0px");
  popover.hidden = false;
  target.classList.add("popover-active");
  target.setAttribute("aria-describedby", popover.id);
  reposition();
}

function reposition() {
  if (!current) {
    return;
  }
  if (!current.target.isConnected) {
    close();
    return;
  }

  const target = current.target;
  const anchorSelector = target.dataset.popoverAnchor;
  const anchor = (anchorSelector && safeQuery(target, anchorSelector)) || target;
  const box = anchor.getBoundingClientRect();
  const viewportWidth = document.documentElement.clientWidth;
  // Measured at the viewport's corner, where its width is not squeezed by an earlier position.
  popover.style.left = "0px";
  popover.style.top = "0px";
  popover.style.maxWidth = `${viewportWidth - 2 * VIEWPORT_MARGIN}px`;

  const placement = place(box, popover.offsetWidth, popover.offsetHeight, {
    viewportWidth,
    viewportHeight: window.innerHeight,
    above: target.dataset.popoverPosition === "above",
    offset: fraction(target.dataset.popoverOffset),
    targetOffset: fraction(target.dataset.popoverTargetOffset),
  });
  popover.style.left = `${placement.left}px`;
  popover.style.top = `${placement.top}px`;
  popover.style.setProperty("--popover-arrow", `${placement.arrow}px`);
  popover.classList.toggle("popover-above", placement.above);
}

// Compute the popover's place for a target box, in viewport pixels. It sits
// at the target point but inside the viewport, and on the preferred side of
// the target unless only the other side has room.
function place(box, width, height, { viewportWidth, viewportHeight, above, offset, targetOffset }) {
  const point = box.left + box.width * targetOffset;
  const widest = viewportWidth - VIEWPORT_MARGIN - width;
  const left = Math.max(VIEWPORT_MARGIN, Math.min(point - width * offset, widest));

  const roomAbove = box.top >= height;
  const roomBelow = box.bottom + height <= viewportHeight;
  const placeAbove = above ? roomAbove || !roomBelow && box.top > viewportHeight - box.bottom : !roomBelow && roomAbove;

  const arrow = Math.max(ARROW_INSET, Math.min(point - left, width - ARROW_INSET));
  return { left, top: placeAbove ? box.top - height : box.bottom, arrow, above: placeAbove };
}

function fraction(value) {
  const number = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(number) ? number : 0.5;
}

// A template's anchor selector may be invalid; the whole element is used then.
function safeQuery(element, selector) {
  try {
    return element.querySelector(selector);
  } catch {
    return null;
  }
}
