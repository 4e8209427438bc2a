// Calendars: a six-week month grid in the browser's time zone and language,
// with previous, next and back-to-this-month buttons. The month a user moved
// to is remembered by widget id, so a live swap of the page keeps it. One
// shared timer redraws every calendar when the date changes at midnight.

const CELLS = 42;
// The timer wakes at least hourly, so a computer that slept past midnight
// catches up within an hour even if the tab never became hidden.
const MAX_WAIT_MS = 3600 * 1000;

const viewedMonths = new Map();
const calendars = new Set();
let timer = null;
let drawnDate = null;

export function setupCalendars(root) {
  const scope = root.matches?.("[data-calendar]") ? [root] : [];
  for (const element of [...scope, ...root.querySelectorAll("[data-calendar]")]) {
    if (element.dataset.calendarReady) {
      continue;
    }
    element.dataset.calendarReady = "true";
    setupCalendar(element);
  }
  scheduleDateCheck();
}

function widgetKey(element) {
  return element.closest("[data-widget-id]")?.dataset.widgetId ?? "";
}

function setupCalendar(element) {
  const move = (months) => {
    const shown = shownMonth(element, new Date());
    viewedMonths.set(widgetKey(element), new Date(shown.getFullYear(), shown.getMonth() + months, 1));
    draw(element, new Date());
  };

  element.querySelector("[data-calendar-previous]")?.addEventListener("click", () => move(-1));
  element.querySelector("[data-calendar-next]")?.addEventListener("click", () => move(1));
  element.querySelector("[data-calendar-today]")?.addEventListener("click", () => {
    viewedMonths.delete(widgetKey(element));
    draw(element, new Date());
    // The button hides itself, so focus would otherwise fall to the page.
    element.querySelector("[data-calendar-next]")?.focus();
  });

  calendars.add(element);
  draw(element, new Date());
}

// The first day of the month on screen: the one the user moved to, or this month.
function shownMonth(element, today) {
  return viewedMonths.get(widgetKey(element)) ?? new Date(today.getFullYear(), today.getMonth(), 1);
}

function sameMonth(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth();
}

function draw(element, today) {
  const month = shownMonth(element, today);
  const firstDay = Number(element.dataset.firstDayOfWeek) || 0;

  setText(element.querySelector("[data-calendar-month]"), month.toLocaleDateString(undefined, { month: "long" }));
  setText(element.querySelector("[data-calendar-year]"), String(month.getFullYear()));
  const back = element.querySelector("[data-calendar-today]");
  if (back) {
    back.hidden = sameMonth(month, today);
  }

  drawWeekdays(element.querySelector("[data-calendar-weekdays]"), firstDay);
  drawDays(element.querySelector("[data-calendar-days]"), month, firstDay, today);
}

function drawWeekdays(container, firstDay) {
  if (!container || container.dataset.firstDay === String(firstDay)) {
    return;
  }
  container.dataset.firstDay = String(firstDay);

  // 2023-01-01 was a Sunday, so day n of that month's first week is weekday n - 1.
  const names = [];
  for (let index = 0; index < 7; index++) {
    const weekday = (firstDay + index) % 7;
    const sample = new Date(2023, 0, 1 + weekday);
    const name = document.createElement("span");
    name.textContent = sample.toLocaleDateString(undefined, { weekday: "short" });
    name.title = sample.toLocaleDateString(undefined, { weekday: "long" });
    names.push(name);
  }
  container.replaceChildren(...names);
}

function drawDays(container, month, firstDay, today) {
  if (!container) {
    return;
  }

  const leading = (month.getDay() - firstDay + 7) % 7;
  const cells = [];
  for (let index = 0; index < CELLS; index++) {
    const date = new Date(month.getFullYear(), month.getMonth(), 1 - leading + index);
    const cell = document.createElement("span");
    cell.className = "calendar-day";
    cell.textContent = String(date.getDate());
    cell.dataset.calendarDate = isoDate(date);
    if (!sameMonth(date, month)) {
      cell.classList.add("calendar-day-outside");
    }
    if (isoDate(date) === isoDate(today)) {
      cell.classList.add("calendar-today");
      cell.setAttribute("aria-current", "date");
    }
    cells.push(cell);
  }
  container.replaceChildren(...cells);
}

function isoDate(date) {
  const month = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${month}-${day}`;
}

function setText(element, text) {
  if (element && element.textContent !== text) {
    element.textContent = text;
  }
}

function scheduleDateCheck() {
  if (timer !== null || calendars.size === 0) {
    return;
  }

  const now = new Date();
  drawnDate ??= isoDate(now);
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  timer = setTimeout(checkDate, Math.min(midnight - now + 50, MAX_WAIT_MS));
}

function checkDate() {
  timer = null;
  const now = new Date();
  if (isoDate(now) !== drawnDate) {
    drawnDate = isoDate(now);
    redrawAll(now);
  }
  scheduleDateCheck();
}

function redrawAll(now) {
  for (const element of calendars) {
    // A calendar removed by a live update is forgotten, not redrawn.
    if (!element.isConnected) {
      calendars.delete(element);
      continue;
    }
    draw(element, now);
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && calendars.size > 0) {
    clearTimeout(timer);
    timer = null;
    checkDate();
  }
});
