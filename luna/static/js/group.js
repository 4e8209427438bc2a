// Group tabs. The chosen tab is remembered per group for the session, so a
// live update that replaces the group shows the tab the user picked.

export function setupGroups(root) {
  const scope = root.matches?.("[data-group]") ? [root] : [];
  for (const group of [...scope, ...root.querySelectorAll("[data-group]")]) {
    if (group.dataset.groupReady) {
      continue;
    }
    group.dataset.groupReady = "true";
    setupGroup(group);
  }
}

function storageKey(group) {
  if (group.dataset.groupKey) {
    return `luna-group-${group.dataset.groupKey}`;
  }
  const widget = group.closest("[data-widget-id]");
  return widget ? `luna-group-${widget.dataset.widgetId}` : null;
}

function setupGroup(group) {
  const tabs = [...group.querySelectorAll(":scope > .group-tabs > [data-group-tab]")];
  const panels = [...group.querySelectorAll(":scope > .group-panels > [data-group-panel]")];
  const key = storageKey(group);

  const select = (index, remember) => {
    tabs.forEach((tab, position) => {
      const selected = position === index;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      panels[position].hidden = !selected;
    });
    if (remember && key) {
      sessionStorage.setItem(key, String(index));
    }
  };

  const saved = key ? Number(sessionStorage.getItem(key)) : 0;
  if (saved > 0 && saved < tabs.length) {
    select(saved, false);
  }

  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => {
      const alreadySelected = tab.getAttribute("aria-selected") === "true";
      if (alreadySelected && tab.dataset.titleUrl) {
        window.open(tab.dataset.titleUrl, "_blank", "noreferrer");
        return;
      }
      select(index, true);
    });
    tab.addEventListener("auxclick", (event) => {
      if (event.button === 1 && tab.dataset.titleUrl) {
        window.open(tab.dataset.titleUrl, "_blank", "noreferrer");
      }
    });
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) {
        return;
      }
      const next = (index + step + tabs.length) % tabs.length;
      select(next, true);
      tabs[next].focus();
    });
  });
}
