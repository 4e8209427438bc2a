// Rows of cards that scroll sideways ([data-carousel]). The scroll position
// is remembered by widget id and row position, so a live update that
// replaces the widget leaves the row where the reader left it. Classes on
// the row mark which sides have more cards, for the fade at its edges.

const positions = new Map();
const carousels = new Set();
let listeningToResize = false;

export function setupCarousels(root) {
  forgetRemovedCarousels();
  const scope = root.matches?.("[data-carousel]") ? [root] : [];
  for (const carousel of [...scope, ...root.querySelectorAll("[data-carousel]")]) {
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
  const rows = [...widget.querySelectorAll("[data-carousel]")];
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
  carousel.classList.toggle("carousel-more-before", carousel.scrollLeft > 1);
  carousel.classList.toggle("carousel-more-after", carousel.scrollLeft < end - 1);
}

function forgetRemovedCarousels() {
  for (const carousel of carousels) {
    if (!carousel.isConnected) {
      carousels.delete(carousel);
    }
  }
}
