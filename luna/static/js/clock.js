// Clocks: the local time and other time zones, redrawn once per minute, on
// the minute, by one timer shared by every clock on the page.

const clocks = new Set();
let timer = null;

export function setupClocks(root) {
  const scope = root.matches?.("[data-clock]") ? [root] : [];
  for (const element of [...scope, ...root.querySelectorAll("[data-clock]")]) {
    if (element.dataset.clockReady) {
      continue;
    }
    element.dataset.clockReady = "true";
    clocks.add(element);
    draw(element, new Date());
  }
  schedule();
}

function schedule() {
  if (timer !== null || clocks.size === 0) {
    return;
  }
  const now = new Date();
  const untilNextMinute = 60000 - (now.getSeconds() * 1000 + now.getMilliseconds());
  timer = setTimeout(tick, untilNextMinute + 5);
}

function tick() {
  timer = null;
  const now = new Date();
  for (const element of clocks) {
    // A clock removed by a live update is forgotten, not redrawn.
    if (!element.isConnected) {
      clocks.delete(element);
      continue;
    }
    draw(element, now);
  }
  schedule();
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && clocks.size > 0) {
    clearTimeout(timer);
    timer = null;
    tick();
  }
});

function draw(element, now) {
  const hour12 = element.dataset.hourFormat === "12h";
  const local = element.querySelector(".clock-local");
  if (local) {
    showTime(local, formatTime(now, hour12));
    setText(local.querySelector("[data-clock-weekday]"), now.toLocaleDateString(undefined, { weekday: "long" }));
    setText(local.querySelector("[data-clock-date]"), now.toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" }));
  }

  for (const zone of element.querySelectorAll("[data-clock-zone]")) {
    const timeZone = zone.dataset.clockZone;
    showTime(zone, formatTime(now, hour12, timeZone));
    const offset = zone.querySelector("[data-clock-offset]");
    const difference = offsetFromLocal(now, timeZone);
    setText(offset, difference.text);
    if (offset) {
      offset.title = difference.title;
    }
  }
}

function showTime(container, { time, period }) {
  setText(container.querySelector("[data-clock-time]"), time);
  setText(container.querySelector("[data-clock-period]"), period);
}

// The time as "09:41" (24h) or "9:41" plus the period "AM" or "PM" (12h),
// apart so the period can be drawn smaller. h23 keeps midnight at "00:41",
// where some locales would otherwise write "24:41".
function formatTime(date, hour12, timeZone) {
  const format = new Intl.DateTimeFormat(undefined, {
    hour: hour12 ? "numeric" : "2-digit",
    minute: "2-digit",
    hourCycle: hour12 ? "h12" : "h23",
    timeZone,
  });
  const parts = format.formatToParts(date);
  const period = parts.find((part) => part.type === "dayPeriod")?.value ?? "";
  const time = parts
    .filter((part) => part.type !== "dayPeriod")
    .map((part) => part.value)
    .join("")
    .trim();
  return { time, period };
}

// The zone's offset from local time, as "+2h", "-30m" or "+5h30m".
function offsetFromLocal(now, timeZone) {
  const there = new Date(now.toLocaleString("en-US", { timeZone }));
  const here = new Date(now.toLocaleString("en-US"));
  const minutes = Math.round((there - here) / 60000);
  if (minutes === 0) {
    return { text: "", title: "Same time as here" };
  }

  const sign = minutes > 0 ? "+" : "-";
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  const text = `${sign}${hours ? `${hours}h` : ""}${rest ? `${rest}m` : ""}`;
  const direction = minutes > 0 ? "ahead of" : "behind";
  return { text, title: `${text.slice(1)} ${direction} local time` };
}

function setText(element, text) {
  if (element && element.textContent !== text) {
    element.textContent = text;
  }
}
