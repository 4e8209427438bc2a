// The theme picker: ask the server for the chosen theme's CSS, swap it in and
// remember the choice in a cookie (the server sets it).

import { goToLogin } from "./widgets.js";

export function setupThemePicker(root) {
  for (const picker of root.querySelectorAll("[data-theme-picker]")) {
    if (picker.dataset.themeReady) {
      continue;
    }
    picker.dataset.themeReady = "true";

    for (const choice of picker.querySelectorAll("[data-theme-key]")) {
      choice.addEventListener("click", () => choose(picker, choice));
    }
  }
}

async function choose(picker, choice) {
  const response = await fetch(choice.dataset.themeUrl, { method: "POST", credentials: "same-origin" });
  if (response.status === 401) {
    goToLogin();
    return;
  }
  if (!response.ok) {
    console.warn("luna: switching theme failed with status", response.status);
    return;
  }

  const css = await response.text();
  const root = document.documentElement;
  root.classList.add("theme-switching");
  document.getElementById("theme-style").textContent = css;
  root.dataset.theme = choice.dataset.themeKey;
  root.dataset.scheme = response.headers.get("X-Scheme") || "dark";
  document.querySelector('meta[name="color-scheme"]')?.setAttribute("content", root.dataset.scheme);

  for (const other of picker.querySelectorAll("[data-theme-key]")) {
    const current = other === choice;
    other.classList.toggle("current", current);
    other.setAttribute("aria-checked", String(current));
  }
  picker.open = false;
  requestAnimationFrame(() => root.classList.remove("theme-switching"));
}
