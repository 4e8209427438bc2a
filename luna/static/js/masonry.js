// Split columns: spread the widgets over as many columns as fit (each at least
// 33rem wide, at most data-max-columns), in reading order, shortest column
// first. Items are looked up again on every layout, so a widget replaced by a
// live update is laid out, never a detached copy of it.

const MIN_COLUMN_WIDTH_REM = 33;
let observer = null;

export function setupMasonry(root) {
  const scope = root.matches?.("[data-masonry]") ? [root] : [];
  for (const masonry of [...scope, ...root.querySelectorAll("[data-masonry]")]) {
    if (!masonry.dataset.masonryReady) {
      masonry.dataset.masonryReady = "true";
      resizeObserver().observe(masonry);
    }
    layout(masonry);
  }
}

function resizeObserver() {
  observer ??= new ResizeObserver((entries) => {
    for (const entry of entries) {
      if (entry.target.isConnected) {
        layout(entry.target);
      }
    }
  });
  return observer;
}

function columnCount(masonry, items) {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 10;
  const fit = Math.floor(masonry.clientWidth / (MIN_COLUMN_WIDTH_REM * rem));
  const max = Number(masonry.dataset.maxColumns) || 2;
  return Math.max(1, Math.min(fit, max, items.length));
}

function layout(masonry) {
  const items = [...masonry.querySelectorAll(":scope > .masonry-item, :scope > .masonry-column > .masonry-item")];
  items.sort((a, b) => Number(a.dataset.masonryIndex) - Number(b.dataset.masonryIndex));
  const count = columnCount(masonry, items);
  if (Number(masonry.dataset.masonryColumns) === count && masonry.classList.contains("masonry-ready")) {
    return;
  }

  const columns = Array.from({ length: count }, () => {
    const column = document.createElement("div");
    column.className = "masonry-column";
    return column;
  });
  items.forEach((item, index) => columns[index % count].append(item));
  masonry.replaceChildren(...columns);
  masonry.dataset.masonryColumns = String(count);
  masonry.classList.add("masonry-ready");
}
