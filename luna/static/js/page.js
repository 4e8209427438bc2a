// Entry point: sets up every behaviour on the page, and again on each widget
// the page replaces. Each initialiser marks what it set up, so running it on
// the same element twice adds nothing.

import { setupCalendars } from "./calendar.js";
import { setupCarousels } from "./carousel.js";
import { setupClocks } from "./clock.js";
import { setupCollapsibleGrids } from "./collapsible-grid.js";
import { setupCollapsibleLists } from "./collapsible.js";
import { setupDockerContainers } from "./docker-containers.js";
import { setupFeedImages } from "./feed-images.js";
import { setupGroups } from "./group.js";
import { setupMasonry } from "./masonry.js";
import { setupMenus } from "./menus.js";
import { setupPendingWidgets } from "./pending.js";
import { setupPopovers } from "./popover.js";
import { setupRelativeTimes } from "./relative-time.js";
import { setupSearchBoxes } from "./search.js";
import { setupThemePicker } from "./theme.js";
import { setupTodoLists } from "./to-do.js";
import { startLiveUpdates } from "./live.js";
import { onContentReplaced } from "./widgets.js";

export function setupContent(root) {
  setupClocks(root);
  setupCalendars(root);
  setupTodoLists(root);
  setupDockerContainers(root);
  setupCollapsibleLists(root);
  setupCollapsibleGrids(root);
  setupCarousels(root);
  setupFeedImages(root);
  setupSearchBoxes(root);
  setupGroups(root);
  setupMasonry(root);
  setupRelativeTimes(root);
  setupPopovers(root);
  setupPendingWidgets(root);
}

function start() {
  setupMenus();
  setupThemePicker(document);
  setupContent(document);
  onContentReplaced((root) => setupContent(root));
  startLiveUpdates();
  document.documentElement.classList.add("page-ready");
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
