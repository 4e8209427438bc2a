// Rows of cards that scroll sideways ([data-carousel]). The scroll position
// is remembered by widget id and row position, so a live update that
// replaces the widget leaves the row where the reader left it. Classes on
// the row mark which sides have more cards, for the fade at its edges.
// Glance's markup in custom-api templates (a .carousel-items-container in a
// .carousel-container) works the same way, with Glance's class names for the
// sides set on the container.

const ROWS = "[data-carousel], .carousel-container > .carousel-items-container";

const positions = new Map();
const carousels = new Set();
let listeningToResize = false;

export function setupCarousels(root) {
  forgetRemovedCarousels();
  const scope = root.matches?.(ROWS) ? [root] : [];
  for (const carousel of [...scope, ...root.querySelectorAll(ROWS)]) {
    if (carousel.dataset.carouselReady) {
      continue;
    }
    carousel.dataset.carouselReady = "true";
    setupCarousel(carousel);
  }

  if (!listeningToResize) {
    listeningToResize = true;
    window.addEventListener("resize", () => carousels.forEach(markEdges), { passive: true });
  }
}

function carouselKey(carousel) {
  const widget = carousel.closest("[data-widget-id]");
  if (!widget) {
    return null;
  }
  const rows = [...widget.querySelectorAll(ROWS)];
  return `${widget.dataset.widgetId}:${rows.indexOf(carousel)}`;
}

function setupCarousel(carousel) {
  const key = carouselKey(carousel);
  if (key !== null && positions.has(key)) {
    carousel.scrollLeft = positions.get(key);
  }

  carousel.addEventListener(
    "scroll",
    () => {
      if (key !== null) {
        positions.set(key, carousel.scrollLeft);
      }
      markEdges(carousel);
    },
    { passive: true },
  );
  carousels.add(carousel);
  markEdges(carousel);
}

function markEdges(carousel) {
  const end = carousel.scrollWidth - carousel.clientWidth;
  const moreBefore = carousel.scrollLeft > 1;
  const moreAfter = carousel.scrollLeft < end - 1;
  const glanceContainer = carousel.matches(".carousel-items-container") ? carousel.parentElement : null;
  if (glanceContainer) {
    glanceContainer.classList.toggle("show-left-cutoff", moreBefore);
    glanceContainer.classList.toggle("show-right-cutoff", moreAfter);
    return;
  }
  carousel.classList.toggle("carousel-more-before", moreBefore);
  carousel.classList.toggle("carousel-more-after", moreAfter);
}

function forgetRemovedCarousels() {
  for (const carousel of carousels) {
    if (!carousel.isConnected) {
      carousels.delete(carousel);
    }
  }
}
