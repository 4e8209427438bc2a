// "12s ago" labels from [data-relative-time] Unix timestamps, refreshed by one
// shared timer; the server's HTML carries only the timestamp and an optional
// data-relative-prefix such as "checked ".

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
    const text = `${element.dataset.relativePrefix || ""}${describe(now - seconds)}`;
    if (element.textContent !== text) {
      element.textContent = text;
    }
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
