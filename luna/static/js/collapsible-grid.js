// Card grids with data-collapse-after-rows: rows past the limit are hidden
// behind one "Show more" button. Cards per row follow the grid's columns, so
// the cut moves when the widget changes width. Whether a grid is expanded is
// remembered by widget and grid position, so a live update keeps it open.

const expanded = new Set();
const layouts = new Map();
let resizeObserver = null;

export function setupCollapsibleGrids(root) {
  forgetRemovedGrids();
  const scope = root.matches?.("[data-collapse-after-rows]") ? [root] : [];
  for (const grid of [...scope, ...root.querySelectorAll("[data-collapse-after-rows]")]) {
    if (grid.dataset.collapsibleGridReady) {
      continue;
    }
    grid.dataset.collapsibleGridReady = "true";
    setupGrid(grid);
  }
}

function gridKey(grid) {
  const widget = grid.closest("[data-widget-id]");
  if (!widget) {
    return null;
  }
  const grids = [...widget.querySelectorAll("[data-collapse-after-rows]")];
  return `${widget.dataset.widgetId}:${grids.indexOf(grid)}`;
}

// The grid's column count, read from its computed tracks; auto-fill keeps
// empty tracks, so the count does not change when cards are hidden.
function columnsOf(grid) {
  const tracks = getComputedStyle(grid).gridTemplateColumns.split(" ").filter((track) => track && track !== "none");
  return Math.max(tracks.length, 1);
}

function setupGrid(grid) {
  const rows = Number(grid.dataset.collapseAfterRows);
  const cards = [...grid.children];
  if (!Number.isFinite(rows) || rows < 0) {
    return;
  }

  const key = gridKey(grid);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "expand-toggle-button";
  button.dataset.expandToggle = "true";
  grid.after(button);

  // A grid outside any widget keeps its state here instead of in `expanded`.
  let openHere = false;
  const isOpen = () => (key === null ? openHere : expanded.has(key));
  const setOpen = (open) => {
    if (key === null) {
      openHere = open;
    } else if (open) {
      expanded.add(key);
    } else {
      expanded.delete(key);
    }
  };

  const layout = () => {
    const open = isOpen();
    const limit = rows * columnsOf(grid);
    cards.forEach((card, index) => {
      card.hidden = !open && index >= limit;
    });
    button.hidden = cards.length <= limit;
    button.textContent = open ? "Show less" : `Show ${cards.length - limit} more`;
    button.setAttribute("aria-expanded", String(open));
  };

  button.addEventListener("click", () => {
    setOpen(!isOpen());
    layout();
    if (!isOpen() && button.getBoundingClientRect().top < 0) {
      button.scrollIntoView({ block: "center" });
    }
  });

  layouts.set(grid, layout);
  observer().observe(grid);
  layout();
}

function observer() {
  resizeObserver ??= new ResizeObserver((entries) => {
    for (const entry of entries) {
      layouts.get(entry.target)?.();
    }
  });
  return resizeObserver;
}

// A live update replaces the widget, and with it the grid: stop watching the
// old one so neither it nor its cards stay in memory.
function forgetRemovedGrids() {
  for (const grid of [...layouts.keys()]) {
    if (!grid.isConnected) {
      resizeObserver?.unobserve(grid);
      layouts.delete(grid);
    }
  }
}
