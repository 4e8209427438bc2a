// Widgets whose first refresh has not finished render a placeholder; fetch
// their content until it arrives, waiting a little longer each time.

import { SessionExpired, fetchWidget, replaceWidget } from "./widgets.js";

const FIRST_DELAY = 500;
const MAX_DELAY = 10000;

export function setupPendingWidgets(root) {
  const scope = root.matches?.("[data-widget-pending]") ? [root] : [];
  for (const element of [...scope, ...root.querySelectorAll("[data-widget-pending]")]) {
    if (element.dataset.pendingWatched) {
      continue;
    }
    element.dataset.pendingWatched = "true";
    poll(element.dataset.widgetId, element.dataset.widgetPending, FIRST_DELAY);
  }
}

function poll(widgetId, url, delay) {
  setTimeout(async () => {
    const current = document.querySelector(`[data-widget-id="${CSS.escape(widgetId)}"]`);
    if (!current || !current.dataset.widgetPending) {
      return;
    }

    try {
      const html = await fetchWidget(url);
      if (!html.includes("data-widget-pending=")) {
        replaceWidget(widgetId, html);
        return;
      }
    } catch (error) {
      if (error instanceof SessionExpired) {
        return;
      }
      console.warn("luna: loading widget", widgetId, "failed:", error);
    }
    poll(widgetId, url, Math.min(delay * 2, MAX_DELAY));
  }, delay);
}
