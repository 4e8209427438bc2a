// Focus across a live swap. Replacing a widget (or the page content) with a
// new copy drops the focus to <body>, so the next keystrokes would go
// nowhere. The element of the new copy that has the same `id`, or the same
// `data-focus-key`, gets the focus back with its caret and selection.
// Elements with neither attribute lose the focus, as before.

export function rememberFocus(scope) {
  const active = document.activeElement;
  if (!active || active === document.body || !scope.contains(active)) {
    return null;
  }
  const selector = focusSelector(active);
  if (!selector) {
    return null;
  }

  return {
    widgetId: active.closest("[data-widget-id]")?.dataset.widgetId ?? null,
    selector,
    caret: readCaret(active),
  };
}

// Call once the new copy is in the document and set up, so that script-built
// elements (such as the tasks of a to-do list) exist and hold their values.
export function restoreFocus(scope, saved) {
  const active = document.activeElement;
  if (!saved || (active && active !== document.body)) {
    // Something took the focus meanwhile: leave it there.
    return;
  }
  const target = findInWidget(scope, saved.widgetId)?.querySelector(saved.selector);
  if (target) {
    focusAt(target, saved.caret);
  }
}

// The caret and selection of a text field, and how far it is scrolled; null
// for elements without a caret.
export function readCaret(element) {
  if (typeof element.selectionStart !== "number") {
    return null;
  }
  return {
    range: [element.selectionStart, element.selectionEnd, element.selectionDirection],
    scrollTop: element.scrollTop,
  };
}

// Focus an element without scrolling the page, and put back a caret that
// readCaret returned. In a shorter text the caret goes to the end.
export function focusAt(element, caret) {
  element.focus({ preventScroll: true });
  if (caret && typeof element.selectionStart === "number") {
    element.setSelectionRange(...caret.range);
    element.scrollTop = caret.scrollTop;
  }
}

function focusSelector(element) {
  if (element.id) {
    return `#${CSS.escape(element.id)}`;
  }
  if (element.dataset.focusKey) {
    return `[data-focus-key="${CSS.escape(element.dataset.focusKey)}"]`;
  }
  return null;
}

// The new copy of the widget that held the focus, so that equal focus keys in
// two widgets (two to-do lists, say) never send the focus to the wrong one.
function findInWidget(scope, widgetId) {
  if (widgetId === null) {
    return scope;
  }
  const selector = `[data-widget-id="${CSS.escape(widgetId)}"]`;
  return scope.closest(selector) ? scope : scope.querySelector(selector);
}
