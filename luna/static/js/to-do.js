// To-do lists kept in the browser's localStorage under "todo-{id}", as a JSON
// array of {text, checked}, the format Glance uses. Tasks are added from the
// input (Enter at the bottom, Ctrl+Enter at the top), edited in place, ticked,
// deleted, and reordered by dragging the handle or with Alt+Up/Down.
// Every change is saved at once, so a live swap or reload loses nothing. For
// the same reason, text typed in the input but not added is kept by widget id.

const STORAGE_PREFIX = "todo-";
const drafts = new Map();
const lists = new Set();

const HANDLE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01"/></svg>';
const DELETE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h16M10 11v6m4-6v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3"/></svg>';

export function setupTodoLists(root) {
  const scope = root.matches?.("[data-todo]") ? [root] : [];
  for (const element of [...scope, ...root.querySelectorAll("[data-todo]")]) {
    if (element.dataset.todoReady) {
      continue;
    }
    element.dataset.todoReady = "true";
    lists.add(new TodoList(element));
  }
}

// Another tab changed a list: show its version.
window.addEventListener("storage", (event) => {
  for (const list of lists) {
    if (!list.element.isConnected) {
      lists.delete(list);
    } else if (event.key === list.storageKey) {
      list.reload();
    }
  }
});

function loadTasks(key) {
  try {
    const parsed = JSON.parse(localStorage.getItem(key) ?? "[]");
    if (!Array.isArray(parsed)) {
      return [];
    }
    return parsed
      .filter((task) => task && typeof task === "object")
      .map((task) => ({ text: String(task.text ?? ""), checked: Boolean(task.checked) }));
  } catch (error) {
    console.warn(`luna: the to-do list ${key} in localStorage is not valid JSON, starting empty:`, error);
    return [];
  }
}

class TodoList {
  constructor(element) {
    this.element = element;
    this.storageKey = STORAGE_PREFIX + (element.dataset.todoId ?? "");
    this.widgetId = element.closest("[data-widget-id]")?.dataset.widgetId ?? this.storageKey;
    this.input = element.querySelector("[data-todo-input]");
    this.items = element.querySelector("[data-todo-items]");
    this.tasks = new WeakMap();
    this.lastAdded = null;

    this.input.value = drafts.get(this.widgetId) ?? "";
    growToFit(this.input);
    this.input.addEventListener("input", () => {
      drafts.set(this.widgetId, this.input.value);
      growToFit(this.input);
    });
    this.input.addEventListener("keydown", (event) => this.onInputKey(event));
    this.reload();
  }

  reload() {
    const items = loadTasks(this.storageKey).map((task) => this.buildItem(task));
    this.items.replaceChildren(...items);
    this.lastAdded = null;
    items.forEach((item) => growToFit(item.querySelector("textarea")));
  }

  save() {
    const tasks = [...this.items.children].map((item) => this.tasks.get(item));
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(tasks));
    } catch (error) {
      console.warn(`luna: could not save the to-do list ${this.storageKey}:`, error);
    }
  }

  onInputKey(event) {
    if (event.key === "Enter") {
      event.preventDefault();
      const text = this.input.value.trim();
      if (text === "") {
        return;
      }
      this.add(text, event.ctrlKey || event.metaKey);
      this.input.value = "";
      drafts.delete(this.widgetId);
      growToFit(this.input);
    } else if (event.key === "Escape") {
      this.input.blur();
    } else if (event.key === "ArrowDown" && this.input.value === "") {
      const target = this.lastAdded?.isConnected ? this.lastAdded : this.items.lastElementChild;
      if (target) {
        event.preventDefault();
        target.querySelector("textarea").focus();
      }
    }
  }

  add(text, atTop) {
    const item = this.buildItem({ text, checked: false });
    if (atTop) {
      this.items.prepend(item);
    } else {
      this.items.append(item);
    }
    growToFit(item.querySelector("textarea"));
    this.lastAdded = item;
    this.save();
  }

  buildItem(task) {
    const item = document.createElement("li");
    item.className = "todo-item";
    item.dataset.todoItem = "";
    this.tasks.set(item, task);

    const handle = document.createElement("button");
    handle.type = "button";
    handle.className = "todo-item-handle";
    handle.innerHTML = HANDLE_ICON;
    handle.setAttribute("aria-label", "Move task (drag, or Alt and an arrow key)");
    handle.addEventListener("pointerdown", (event) => this.startDrag(event, item));
    handle.addEventListener("keydown", (event) => this.onMoveKey(event, item, handle));

    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    checkbox.className = "todo-item-checkbox";
    checkbox.checked = task.checked;
    checkbox.setAttribute("aria-label", "Done");
    item.classList.toggle("todo-item-done", task.checked);
    checkbox.addEventListener("change", () => {
      task.checked = checkbox.checked;
      item.classList.toggle("todo-item-done", task.checked);
      this.save();
    });

    const text = document.createElement("textarea");
    text.className = "todo-item-text";
    text.rows = 1;
    text.spellcheck = false;
    text.placeholder = "empty task";
    text.value = task.text;
    text.setAttribute("aria-label", "Task");
    text.addEventListener("input", () => {
      task.text = text.value;
      growToFit(text);
      this.save();
    });
    text.addEventListener("keydown", (event) => this.onItemKey(event, item, text));

    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "todo-item-delete";
    remove.innerHTML = DELETE_ICON;
    remove.setAttribute("aria-label", "Delete task");
    remove.addEventListener("click", () => this.remove(item));

    item.append(handle, checkbox, text, remove);
    return item;
  }

  onItemKey(event, item, text) {
    if (event.key === "Enter" || event.key === "Escape") {
      // A task is one paragraph: Enter ends the edit, as Escape does.
      event.preventDefault();
      this.input.focus();
      return;
    }
    this.onMoveKey(event, item, text);
  }

  onMoveKey(event, item, focusTarget) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
      return;
    }
    event.preventDefault();
    const sibling = event.key === "ArrowUp" ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) {
      return;
    }
    if (event.key === "ArrowUp") {
      sibling.before(item);
    } else {
      sibling.after(item);
    }
    focusTarget.focus();
    this.save();
  }

  remove(item) {
    const next = item.nextElementSibling ?? item.previousElementSibling;
    if (this.lastAdded === item) {
      this.lastAdded = null;
    }
    item.remove();
    this.save();
    (next?.querySelector(".todo-item-delete") ?? this.input).focus();
  }

  // Dragging by the handle: the item follows the pointer, changing places
  // with a neighbour once the pointer passes that neighbour's middle. The
  // listeners sit on the window, not on the handle with pointer capture,
  // because moving the item in the document releases the capture.
  startDrag(event, item) {
    if (event.button !== 0) {
      return;
    }
    event.preventDefault();
    item.classList.add("todo-item-dragging");

    const onMove = (moveEvent) => {
      const before = [...this.items.children].find((other) => {
        if (other === item) {
          return false;
        }
        const box = other.getBoundingClientRect();
        return moveEvent.clientY < box.top + box.height / 2;
      });
      if (before === undefined) {
        if (this.items.lastElementChild !== item) {
          this.items.append(item);
        }
      } else if (before !== item.nextElementSibling) {
        before.before(item);
      }
    };
    const onEnd = () => {
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("pointerup", onEnd);
      window.removeEventListener("pointercancel", onEnd);
      item.classList.remove("todo-item-dragging");
      this.save();
    };

    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onEnd);
    window.addEventListener("pointercancel", onEnd);
  }
}

// A text area as tall as its text, so long tasks wrap instead of scrolling.
function growToFit(textarea) {
  if (!textarea) {
    return;
  }
  textarea.style.height = "auto";
  textarea.style.height = `${textarea.scrollHeight}px`;
}
