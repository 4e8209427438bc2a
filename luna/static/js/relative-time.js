// "12s ago" labels from [data-relative-time] Unix timestamps, refreshed by one
// shared timer; the server's HTML carries only the timestamp and an optional
// data-relative-prefix such as "checked ".
//
// Glance's custom-api templates mark times with data-dynamic-relative-time
// (from toRelativeTime and parseRelativeTime) and expect a bare "5m", "3h" or
// "2d" there, so those get the short form.

let timer = null;

export function setupRelativeTimes(root) {
  updateAll(root);
  if (timer === null) {
    timer = setInterval(() => updateAll(document), 5000);
  }
}

function updateAll(root) {
  const now = Date.now() / 1000;
  for (const element of root.querySelectorAll("[data-relative-time]")) {
    const seconds = Number(element.dataset.relativeTime);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      continue;
    }
    setText(element, `${element.dataset.relativePrefix || ""}${describe(now - seconds)}`);
  }
  for (const element of root.querySelectorAll("[data-dynamic-relative-time]")) {
    const seconds = Number(element.dataset.dynamicRelativeTime);
    if (Number.isFinite(seconds)) {
      setText(element, describeShort(Math.abs(now - seconds)));
    }
  }
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

function describe(age) {
  if (age < 5) {
    return "just now";
  }
  if (age < 60) {
    return `${Math.floor(age)}s ago`;
  }
  if (age < 3600) {
    return `${Math.floor(age / 60)}m ago`;
  }
  if (age < 86400) {
    return `${Math.floor(age / 3600)}h ago`;
  }
  return `${Math.floor(age / 86400)}d ago`;
}

function describeShort(age) {
  if (age < 3600) {
    return `${Math.max(Math.floor(age / 60), 1)}m`;
  }
  if (age < 86400) {
    return `${Math.floor(age / 3600)}h`;
  }
  if (age < 30 * 86400) {
    return `${Math.floor(age / 86400)}d`;
  }
  if (age < 365 * 86400) {
    return `${Math.floor(age / (30 * 86400))}mo`;
  }
  return `${Math.floor(age / (365 * 86400))}y`;
}
