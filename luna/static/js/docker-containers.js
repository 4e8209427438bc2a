// Container details of docker-containers widgets open on a click of the
// container's icon (menus.js closes them on an outside click or Escape).
// Which details are open is remembered by widget id, so the live update that
// follows a container's change of state does not close the one being read.

const openDetails = new Map();

export function setupDockerContainers(root) {
  const scope = root.matches?.("[data-docker-details]") ? [root] : [];
  for (const details of [...scope, ...root.querySelectorAll("[data-docker-details]")]) {
    if (details.dataset.dockerReady) {
      continue;
    }
    details.dataset.dockerReady = "true";
    setupDetails(details);
  }
}

function setupDetails(details) {
  const widgetId = details.closest("[data-widget-id]")?.dataset.widgetId;
  if (!widgetId) {
    return;
  }

  const containerId = details.dataset.dockerDetails;
  if (openDetails.get(widgetId) === containerId) {
    details.open = true;
  }

  details.addEventListener("toggle", () => {
    if (details.open) {
      openDetails.set(widgetId, containerId);
      closeOthers(details);
    } else if (openDetails.get(widgetId) === containerId && details.isConnected) {
      openDetails.delete(widgetId);
    }
  });
}

// One open panel per widget: panels of neighbouring rows would overlap.
function closeOthers(details) {
  const widget = details.closest("[data-widget-id]");
  for (const other of widget.querySelectorAll("[data-docker-details][open]")) {
    if (other !== details) {
      other.open = false;
    }
  }
}
