// Pictures of feed items ([data-feed-image]) that fail to load. A broken
// picture is removed, so the item looks as it would without one; with
// data-feed-image="placeholder" it becomes the empty box such an item shows.
//
// "error" does not bubble, so one listener in the capture phase on the
// document receives it for every image, also in widgets a live update swaps in.
// A listener in a module, unlike an inline onerror attribute, also runs
// under a Content-Security-Policy that forbids inline scripts.

let listening = false;

export function setupFeedImages(root) {
  if (!listening) {
    listening = true;
    document.addEventListener("error", onImageError, true);
  }

  // An image can fail before this module runs. It is then complete with no
  // size, but a loaded SVG without a set size may look the same, so decode() decides.
  for (const image of root.querySelectorAll("img[data-feed-image]")) {
    if (image.complete && image.naturalWidth === 0) {
      image.decode().catch(() => dropImage(image));
    }
  }
}

function onImageError(event) {
  const image = event.target;
  if (image instanceof HTMLImageElement && image.matches("[data-feed-image]")) {
    dropImage(image);
  }
}

function dropImage(image) {
  if (!image.isConnected) {
    return;
  }
  if (image.dataset.feedImage !== "placeholder") {
    image.remove();
    return;
  }
  const box = document.createElement("span");
  box.className = image.className;
  box.setAttribute("aria-hidden", "true");
  image.replaceWith(box);
}
