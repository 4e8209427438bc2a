// Live events: one EventSource per browser, shared by its tabs.
//
// The tab holding a Web Lock opens the stream and relays every message to the
// other tabs over a BroadcastChannel. When that tab closes, the lock passes to
// another tab, which reconnects from the last event id it saw. Without Web
// Locks or BroadcastChannel each tab opens its own stream; without
// EventSource the page polls its content instead.

import { announceChange, baseURL, goToLogin, refreshPage, refreshWidget } from "./widgets.js";

const MAX_RETRY_MS = 60000;
const POLL_MS = 15000;

const status = {
  state: "connecting",
  // The id of the newest event when the server rendered this page: the first
  // connection requests everything after it, so nothing falls in between.
  lastEventId: document.body.dataset.liveLastId || "",
  lastMessageAt: Date.now(),
  leader: false,
  failures: 0,
  erroredWhileHidden: false,
};

let channel = null;
let source = null;
let reconnectTimer = null;

export function startLiveUpdates() {
  if (document.body.dataset.liveEvents !== "on") {
    startPolling("Live updates are off; refreshing every 15 s");
    return;
  }
  if (!("EventSource" in window)) {
    startPolling("This browser has no EventSource; refreshing every 15 s");
    return;
  }

  if ("BroadcastChannel" in window && navigator.locks) {
    const scope = `${location.origin}${baseURL()}`;
    channel = new BroadcastChannel(`luna-events ${scope}`);
    channel.onmessage = (message) => followLeader(message.data);
    navigator.locks.request(`luna-events ${scope}`, () => leadUntilUnload());
    setState("connecting");
    // A tab that opens later requests the leader's connection state.
    channel.postMessage({ kind: "state-request" });
  } else {
    status.leader = true;
    openStream();
  }

  watchIdleStream();
  document.addEventListener("visibilitychange", onVisibilityChange);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      refreshPage();
    }
  });
}

// Runs while this tab holds the lock; the promise settles only when the tab goes away.
function leadUntilUnload() {
  status.leader = true;
  openStream();
  return new Promise((resolve) => {
    window.addEventListener("pagehide", () => {
      closeStream();
      resolve();
    }, { once: true });
  });
}

function eventsURL() {
  const url = `${baseURL()}/api/events`;
  return status.lastEventId ? `${url}?last-event-id=${encodeURIComponent(status.lastEventId)}` : url;
}

function openStream() {
  closeStream();
  source = new EventSource(eventsURL());

  source.onopen = () => {
    status.failures = 0;
    status.lastMessageAt = Date.now();
    setState("live");
  };
  source.onmessage = (message) => {
    status.lastMessageAt = Date.now();
    if (message.lastEventId) {
      status.lastEventId = message.lastEventId;
    }
    const envelope = parse(message.data);
    if (envelope) {
      channel?.postMessage({ kind: "event", id: status.lastEventId, envelope });
      handle(envelope);
    }
  };
  source.onerror = () => {
    // Our own reconnect replaces the browser's fixed-delay one, to back off.
    closeStream();
    if (document.visibilityState === "hidden") {
      status.erroredWhileHidden = true;
    }
    setState("reconnecting");
    scheduleReconnect();
  };
}

function closeStream() {
  if (source) {
    source.onopen = source.onmessage = source.onerror = null;
    source.close();
    source = null;
  }
}

async function scheduleReconnect() {
  clearTimeout(reconnectTimer);
  if (await sessionExpired()) {
    goToLogin();
    return;
  }

  status.failures += 1;
  const first = Number(document.body.dataset.liveRetry) || 2000;
  const ceiling = Math.min(MAX_RETRY_MS, first * 2 ** (status.failures - 1));
  // Full jitter spreads the reconnects of many tabs after a server restart.
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  reconnectTimer = setTimeout(openStream, delay);
}

// EventSource hides the status of a failed request, so ask the page content URL.
async function sessionExpired() {
  try {
    const url = document.body.dataset.pageContentUrl || `${baseURL()}/api/healthz`;
    const response = await fetch(url, { method: "HEAD", credentials: "same-origin" });
    return response.status === 401;
  } catch {
    return false;
  }
}

function followLeader(message) {
  if (!message) {
    return;
  }
  if (status.leader) {
    if (message.kind === "state-request") {
      channel.postMessage({ kind: "state", state: status.state });
    }
    return;
  }
  if (message.kind === "event") {
    status.lastEventId = message.id || status.lastEventId;
    status.lastMessageAt = Date.now();
    handle(message.envelope);
  } else if (message.kind === "state") {
    showState(message.state);
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    console.warn("luna: ignoring an event that is not JSON:", text);
    return null;
  }
}

function handle(envelope) {
  const data = envelope.data || {};
  switch (envelope.type) {
    case "widget:updated":
      refreshWidget(data.widget_id);
      break;
    case "custom-api:data_changed":
      // Sent for Go luna's clients; the widget:updated of the same change
      // already refreshes the widget here.
      break;
    case "monitor:site_changed":
      if (document.querySelector(`[data-widget-id="${CSS.escape(data.widget_id || "")}"]`)) {
        announceChange(describeSite(data));
      }
      refreshWidget(data.widget_id);
      break;
    case "page:update":
      // A not-found page reloads on any configuration change: its page may exist now.
      if (document.body.dataset.notFound) {
        location.reload();
      } else if (data.slug === document.body.dataset.pageSlug) {
        if (data.reload) {
          location.reload();
        } else {
          refreshPage();
        }
      }
      break;
    case "resync":
      refreshPage();
      break;
    default:
      break;
  }
}

function describeSite(data) {
  const states = { 0: "is up", 1: "is down", 2: "is degraded" };
  const state = states[data.status] ?? "changed state";
  return `${data.title} ${state}${data.error ? `: ${data.error}` : ""}`;
}

function setState(state) {
  if (status.leader) {
    channel?.postMessage({ kind: "state", state });
  }
  showState(state);
}

function showState(state) {
  status.state = state;
  const labels = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    polling: "Refreshing every 15 s",
  };
  for (const indicator of document.querySelectorAll("[data-live-indicator]")) {
    indicator.dataset.state = state;
    indicator.querySelector("[data-live-label]").textContent = labels[state] || state;
  }
}

// A proxy that buffers the stream delivers nothing. After twice the ping
// interval without a message, the page content is fetched directly (cheap
// with its ETag), so the page never stays stale behind such a proxy.
function watchIdleStream() {
  const ping = (Number(document.body.dataset.livePing) || 30) * 1000;
  setInterval(() => {
    if (Date.now() - status.lastMessageAt > 2 * ping) {
      status.lastMessageAt = Date.now();
      refreshPage();
    }
  }, ping);
}

let hiddenAt = 0;

function onVisibilityChange() {
  if (document.visibilityState === "hidden") {
    hiddenAt = Date.now();
    return;
  }
  // A long-hidden tab may have been frozen by the browser and missed messages.
  if (status.erroredWhileHidden || Date.now() - hiddenAt > 5 * 60000) {
    status.erroredWhileHidden = false;
    refreshPage();
  }
}

function startPolling(reason) {
  console.info(`luna: ${reason}`);
  showState("polling");
  setInterval(() => {
    if (document.visibilityState === "visible") {
      refreshPage();
    }
  }, POLL_MS);
}
