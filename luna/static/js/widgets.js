// Replacing one widget's element with fresh HTML from the server, and telling
// the initialisers about the new subtree.

const listeners = [];

export function onWidgetReplaced(listener) {
  listeners.push(listener);
}

export function baseURL() {
  return document.body.dataset.baseUrl || "";
}

// Swap the element with this widget id for the given HTML. Returns the new
// element, or null when the widget is not on this page.
export function replaceWidget(widgetId, html) {
  const current = document.querySelector(`[data-widget-id="${CSS.escape(widgetId)}"]`);
  if (!current) {
    return null;
  }

  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const replacement = template.content.firstElementChild;
  if (!replacement || replacement.dataset.widgetId !== widgetId) {
    return null;
  }

  current.replaceWith(replacement);
  for (const listener of listeners) {
    listener(replacement);
  }
  return replacement;
}

export async function fetchWidget(url) {
  const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  return response.text();
}
