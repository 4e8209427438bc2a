// Fetching and swapping one widget, or the whole page content, and telling
// the initialisers about the new subtree.

import { rememberFocus, restoreFocus } from "./focus.js";

const listeners = [];
const inFlight = new Map();

export function onContentReplaced(listener) {
  listeners.push(listener);
}

export function baseURL() {
  return document.body.dataset.baseUrl || "";
}

function widgetElement(widgetId) {
  return document.querySelector(`[data-widget-id="${CSS.escape(widgetId)}"]`);
}

function notify(root) {
  for (const listener of listeners) {
    listener(root);
  }
}

// Swap the element with this widget id for the given HTML. Returns the new
// element, or null when the widget is not on this page.
export function replaceWidget(widgetId, html) {
  const current = widgetElement(widgetId);
  if (!current) {
    return null;
  }

  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const replacement = template.content.firstElementChild;
  if (!replacement || replacement.dataset.widgetId !== widgetId) {
    return null;
  }

  const changed = current.dataset.widgetSignature === undefined
    || current.dataset.widgetSignature !== replacement.dataset.widgetSignature;
  const focus = rememberFocus(current);
  current.replaceWith(replacement);
  notify(replacement);
  restoreFocus(replacement, focus);
  if (changed && !replacement.dataset.widgetPending) {
    highlight(replacement);
  }
  return replacement;
}

function highlight(element) {
  element.classList.add("widget-just-updated");
  setTimeout(() => element.classList.remove("widget-just-updated"), 1600);
}

// A 401 means the session ended: go to the login page, and throw so the
// caller stops without putting the error body into the page.
export async function fetchWidget(url) {
  const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (response.status === 401) {
    goToLogin();
    throw new SessionExpired();
  }
  if (!response.ok) {
    throw new Error(`${url} returned HTTP ${response.status}`);
  }
  return response.text();
}

export class SessionExpired extends Error {}

let leaving = false;

// Go to the login page, returning here afterwards. Every fetch that fails
// with 401 calls this, but the browser is sent there only once.
export function goToLogin() {
  if (leaving) {
    return;
  }
  leaving = true;
  const next = encodeURIComponent(location.pathname + location.search);
  location.assign(`${baseURL()}/login?next=${next}`);
}

// Fetch a widget's current HTML and swap it in. Requests for one widget never
// overlap: a request made while one is running is folded into one more fetch.
export async function refreshWidget(widgetId) {
  if (!widgetId || !widgetElement(widgetId)) {
    return;
  }
  if (inFlight.has(widgetId)) {
    inFlight.set(widgetId, true);
    return;
  }

  inFlight.set(widgetId, false);
  try {
    const html = await fetchWidget(`${baseURL()}/api/widgets/${encodeURIComponent(widgetId)}/content/`);
    replaceWidget(widgetId, html);
  } catch (error) {
    handleFetchError(error);
  } finally {
    const again = inFlight.get(widgetId);
    inFlight.delete(widgetId);
    if (again) {
      refreshWidget(widgetId);
    }
  }
}

let pageRequest = null;

// Fetch the page content and swap it in, keeping the scroll position.
export function refreshPage() {
  pageRequest ??= loadPage().finally(() => {
    pageRequest = null;
  });
  return pageRequest;
}

async function loadPage() {
  const container = document.getElementById("page-content");
  const url = document.body.dataset.pageContentUrl;
  if (!container || !url) {
    return;
  }

  try {
    // With the ETag of what is on screen, an unchanged page costs a 304 and
    // leaves the DOM alone: typed text, open menus and focus all stay.
    const headers = { Accept: "text/html" };
    if (document.body.dataset.pageEtag) {
      headers["If-None-Match"] = document.body.dataset.pageEtag;
    }
    const response = await fetch(url, { headers, credentials: "same-origin", cache: "no-store" });
    if (response.status === 304) {
      return;
    }
    if (response.status === 401) {
      goToLogin();
      throw new SessionExpired();
    }
    if (response.status === 404) {
      // The page was removed or renamed: the document shows what is there now.
      location.reload();
      return;
    }
    if (!response.ok) {
      throw new Error(`${url} returned HTTP ${response.status}`);
    }

    const html = await response.text();
    document.body.dataset.pageEtag = response.headers.get("ETag") || "";
    const scroll = window.scrollY;
    const focus = rememberFocus(container);
    container.innerHTML = html;
    notify(container);
    restoreFocus(container, focus);
    window.scrollTo({ top: scroll, behavior: "instant" });
  } catch (error) {
    handleFetchError(error);
  }
}

function handleFetchError(error) {
  if (error instanceof SessionExpired) {
    return;
  }
  console.warn("luna: refreshing failed:", error);
}

// Screen readers read the live region politely, after what they are reading.
export function announceChange(text) {
  const region = document.querySelector("[data-live-announcer]");
  if (region) {
    region.textContent = text;
  }
}
