// Search boxes: Enter searches, Ctrl+Enter (or the reverse with new-tab) opens
// a new tab, a leading bang shortcut picks another engine, Escape leaves the
// box, the up arrow brings back the last query, and S anywhere focuses it.

let shortcutInstalled = false;

export function setupSearchBoxes(root) {
  for (const box of root.querySelectorAll("[data-search]")) {
    if (box.dataset.searchReady) {
      continue;
    }
    box.dataset.searchReady = "true";
    setupBox(box);
  }
  installFocusShortcut();
}

function setupBox(box) {
  const input = box.querySelector(".search-input");
  const indicator = box.querySelector("[data-search-bang]");
  const bangs = [...box.querySelectorAll("[data-bang-shortcut]")].map((item) => ({
    shortcut: item.dataset.bangShortcut,
    url: item.dataset.bangUrl,
    title: item.textContent.trim(),
  }));
  let lastQuery = "";

  const currentBang = () => {
    const [first] = input.value.trimStart().split(/\s+/, 1);
    return bangs.find((bang) => bang.shortcut === first) || null;
  };

  input.addEventListener("input", () => {
    const bang = currentBang();
    indicator.hidden = bang === null;
    indicator.textContent = bang ? bang.title : "";
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      input.blur();
      return;
    }
    if (event.key === "ArrowUp" && lastQuery && !input.value) {
      input.value = lastQuery;
      event.preventDefault();
      return;
    }
    if (event.key !== "Enter") {
      return;
    }

    const bang = currentBang();
    let query = input.value.trim();
    if (bang) {
      query = query.slice(bang.shortcut.length).trim();
    }
    if (!query) {
      return;
    }
    event.preventDefault();

    const template = bang ? bang.url : box.dataset.searchUrl;
    const url = template.replaceAll("{QUERY}", encodeURIComponent(query));
    const newTab = (box.dataset.newTab === "true") !== (event.ctrlKey || event.metaKey);
    lastQuery = input.value;
    input.value = "";
    indicator.hidden = true;
    indicator.textContent = "";

    if (newTab) {
      window.open(url, box.dataset.target || "_blank", "noreferrer");
    } else {
      window.location.href = url;
    }
  });

  box.querySelector(".search-hint")?.addEventListener("mousedown", (event) => {
    event.preventDefault();
    input.focus();
  });
}

// One listener for the whole page, however many search widgets it has.
function installFocusShortcut() {
  if (shortcutInstalled) {
    return;
  }
  shortcutInstalled = true;

  document.addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "s" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || target.closest("input, textarea, select"))) {
      return;
    }
    const input = document.querySelector("[data-search] .search-input");
    if (input) {
      event.preventDefault();
      input.focus();
    }
  });
}
