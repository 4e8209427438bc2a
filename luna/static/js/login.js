// The login form: send the user name and password as JSON and, once the
// server sets the session cookie, go to the page the user came from. The
// server has already checked that page (data-next) is one of this dashboard's.

export function setupLoginForm(root) {
  for (const form of root.querySelectorAll("[data-login-form]")) {
    if (form.dataset.loginReady) {
      continue;
    }
    form.dataset.loginReady = "true";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form);
    });
  }
}

async function submit(form) {
  const button = form.querySelector("[data-login-button]");
  const username = form.elements.username.value;
  const password = form.elements.password.value;
  if (!username || !password) {
    show(form, "Enter your user name and password.");
    return;
  }

  button.disabled = true;
  show(form, "");
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    button.disabled = false;
    show(form, "The dashboard did not respond. Check the connection and try again.");
    return;
  }

  if (response.ok) {
    // Replace, so Back from the dashboard does not land on a login page that bounces forward again.
    location.replace(form.dataset.next);
    return;
  }
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After")) || 30;
    waitBeforeRetry(form, button, seconds);
    return;
  }

  button.disabled = false;
  const body = await response.json().catch(() => ({}));
  show(form, body.error || `Logging in failed (HTTP ${response.status}).`);
  if (response.status === 401) {
    form.elements.password.value = "";
    form.elements.password.focus();
  }
}

// After too many failures the server refuses tries for a while; count down instead of failing again.
function waitBeforeRetry(form, button, seconds) {
  let left = seconds;
  const tick = () => {
    if (left <= 0) {
      button.disabled = false;
      show(form, "You can try again now.");
      return;
    }
    show(form, `Too many failed attempts. Try again in ${left} s.`);
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

function show(form, text) {
  form.querySelector("[data-login-message]").textContent = text;
}

function start() {
  setupLoginForm(document);
  document.documentElement.classList.add("page-ready");
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
