// Menus built on <details data-menu> (the theme picker, the phone's page
// list): a click outside an open menu or the Escape key closes it, as users
// expect of a popup. One pair of document listeners serves every menu.

let installed = false;

export function setupMenus() {
  if (installed) {
    return;
  }
  installed = true;

  document.addEventListener("click", (event) => {
    for (const menu of document.querySelectorAll("details[data-menu][open]")) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") {
      return;
    }
    for (const menu of document.querySelectorAll("details[data-menu][open]")) {
      menu.open = false;
      menu.querySelector("summary")?.focus();
    }
  });
}
