// Collapsible lists: items past data-collapse-after are hidden behind one
// "Show more" button. Whether a list is expanded is remembered by widget and
// list position, so a live update that replaces the widget keeps it open.

const expanded = new Set();

export function setupCollapsibleLists(root) {
  const scope = root.matches?.("[data-collapse-after]") ? [root] : [];
  for (const list of [...scope, ...root.querySelectorAll("[data-collapse-after]")]) {
    if (list.dataset.collapsibleReady) {
      continue;
    }
    list.dataset.collapsibleReady = "true";
    setupList(list);
  }
}

function listKey(list) {
  const widget = list.closest("[data-widget-id]");
  if (!widget) {
    return null;
  }
  const lists = [...widget.querySelectorAll("[data-collapse-after]")];
  return `${widget.dataset.widgetId}:${lists.indexOf(list)}`;
}

function setupList(list) {
  const limit = Number(list.dataset.collapseAfter);
  const items = [...list.children];
  if (!Number.isFinite(limit) || limit < 0 || items.length <= limit) {
    return;
  }

  const key = listKey(list);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "expand-toggle-button";
  button.dataset.expandToggle = "true";
  list.after(button);

  const apply = (open) => {
    items.forEach((item, index) => {
      item.hidden = !open && index >= limit;
    });
    button.textContent = open ? "Show less" : `Show ${items.length - limit} more`;
    button.setAttribute("aria-expanded", String(open));
    if (key) {
      if (open) {
        expanded.add(key);
      } else {
        expanded.delete(key);
      }
    }
  };

  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    apply(open);
    if (!open && button.getBoundingClientRect().top < 0) {
      button.scrollIntoView({ block: "center" });
    }
  });
  apply(key !== null && expanded.has(key));
}
