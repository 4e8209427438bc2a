// To-do lists kept in the browser's localStorage under "todo-{id}", as a JSON
// array of {text, checked}, the format Glance uses. Tasks are added from the
// input (Enter at the bottom, Ctrl+Enter at the top), edited in place, ticked,
// deleted, and reordered by dragging the handle or with Alt+Up/Down.
// Every change is saved at once, so a live swap or reload loses nothing. For
// the same reason, text typed in the input but not added is kept by widget id.
//
// Widgets with the same id show one list. A change is applied to the list as
// stored at that moment, never to a widget's own copy, so a change another
// widget or tab made meanwhile is kept. Every widget of that list on this page
// then shows the result at once. Other tabs follow through the storage event.

import { focusAt, readCaret } from "./focus.js";

const STORAGE_PREFIX = "todo-";
const drafts = new Map();
const lists = new Set();
// Lists by key whose last save failed because localStorage is full or
// disabled. This page continues from its own copy, not the older stored one.
const unsaved = new Map();

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

// Another tab changed a list, or cleared the storage (key null): show its version.
window.addEventListener("storage", (event) => {
  if (event.storageArea !== localStorage) {
    return;
  }
  for (const list of connectedLists()) {
    if (event.key === null || event.key === list.storageKey) {
      unsaved.delete(list.storageKey);
      list.show(readList(list.storageKey));
    }
  }
});

function connectedLists() {
  for (const list of lists) {
    if (!list.element.isConnected) {
      lists.delete(list);
    }
  }
  return [...lists];
}

function readList(key) {
  return unsaved.has(key) ? structuredClone(unsaved.get(key)) : loadTasks(key);
}

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

function storeTasks(key, tasks) {
  try {
    localStorage.setItem(key, JSON.stringify(tasks));
    unsaved.delete(key);
  } catch (error) {
    unsaved.set(key, structuredClone(tasks));
    console.warn(`luna: could not save the to-do list ${key}:`, error);
  }
}

// Apply `change` to the stored list `key`, save it, and show the result in
// every widget of that list on this page.
function updateList(key, change) {
  const tasks = readList(key);
  change(tasks);
  storeTasks(key, tasks);
  for (const list of connectedLists()) {
    if (list.storageKey === key) {
      list.show(tasks);
    }
  }
}

function sameTask(first, second) {
  return first.text === second.text && first.checked === second.checked;
}

function sameTasks(first, second) {
  return first.length === second.length && first.every((task, index) => sameTask(task, second[index]));
}

// The index in `tasks` of the task a widget showed at `index` before a change:
// that index while it still contains an equal task, else the first equal task,
// else -1 because another widget or tab deleted or changed it.
function locate(tasks, task, index) {
  if (index < tasks.length && sameTask(tasks[index], task)) {
    return index;
  }
  return tasks.findIndex((other) => sameTask(other, task));
}

class TodoList {
  constructor(element) {
    this.element = element;
    this.storageKey = STORAGE_PREFIX + (element.dataset.todoId ?? "");
    this.widgetId = element.closest("[data-widget-id]")?.dataset.widgetId ?? this.storageKey;
    this.input = element.querySelector("[data-todo-input]");
    this.items = element.querySelector("[data-todo-items]");
    // The task each item shows, kept in step with its controls as they change.
    this.tasks = new WeakMap();
    this.lastAdded = null;

    this.input.value = drafts.get(this.widgetId) ?? "";
    growToFit(this.input);
    this.input.addEventListener("input", () => {
      drafts.set(this.widgetId, this.input.value);
      growToFit(this.input);
    });
    this.input.addEventListener("keydown", (event) => this.onInputKey(event));
    this.show(readList(this.storageKey));
  }

  // Show `tasks`. When they are what the items already show, the items stay,
  // so a task being edited keeps its element, focus and caret.
  show(tasks) {
    if (!sameTasks(this.shownTasks(), tasks)) {
      const focused = this.focusedTask();
      const items = tasks.map((task) => this.buildItem({ ...task }));
      this.items.replaceChildren(...items);
      this.lastAdded = null;
      items.forEach((item) => growToFit(item.querySelector("textarea")));
      this.refocus(focused, tasks);
    }
    this.numberItems();
  }

  // Find the task whose control has the focus, to give the focus back after a redraw.
  focusedTask() {
    const active = document.activeElement;
    const item = active?.closest?.("[data-todo-item]");
    if (!item || !this.items.contains(item)) {
      return null;
    }
    return {
      task: this.tasks.get(item),
      index: this.indexOf(item),
      control: active.dataset.todoControl,
      caret: readCaret(active),
    };
  }

  // Focus the same control of the same task, found by its text rather than
  // its position because a change from elsewhere may have moved it. When that
  // task is gone, the input gets the focus, so typing still lands in the list.
  refocus(focused, tasks) {
    const active = document.activeElement;
    if (!focused || (active && active !== document.body)) {
      return;
    }
    const index = locate(tasks, focused.task, focused.index);
    const control = this.items.children[index]?.querySelector(`[data-todo-control="${focused.control}"]`);
    focusAt(control ?? this.input, control ? focused.caret : null);
  }

  shownTasks() {
    return [...this.items.children].map((item) => this.tasks.get(item));
  }

  // Focus keys name each control by its task's position, so that after a
  // live swap of the widget the same control gets the focus back (focus.js).
  numberItems() {
    [...this.items.children].forEach((item, index) => {
      for (const control of item.querySelectorAll("[data-todo-control]")) {
        control.dataset.focusKey = `task-${index}-${control.dataset.todoControl}`;
      }
    });
  }

  indexOf(item) {
    return [...this.items.children].indexOf(item);
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
    const task = { text, checked: false };
    updateList(this.storageKey, (tasks) => {
      if (atTop) {
        tasks.unshift(task);
      } else {
        tasks.push(task);
      }
    });
    this.lastAdded = atTop ? this.items.firstElementChild : this.items.lastElementChild;
  }

  // Change the stored copy of the task an item showed before the change
  // (`before`, at `index`). A task that another widget or tab deleted
  // meanwhile stays deleted.
  changeTask(before, index, change) {
    updateList(this.storageKey, (tasks) => {
      const found = locate(tasks, before, index);
      if (found >= 0) {
        change(tasks, found);
      }
    });
  }

  buildItem(task) {
    const item = document.createElement("li");
    item.className = "todo-item";
    item.dataset.todoItem = "";
    this.tasks.set(item, task);

    const handle = document.createElement("button");
    handle.type = "button";
    handle.className = "todo-item-handle";
    handle.dataset.todoControl = "move";
    handle.innerHTML = HANDLE_ICON;
    handle.setAttribute("aria-label", "Move task (drag, or Alt and an arrow key)");
    handle.addEventListener("pointerdown", (event) => this.startDrag(event, item));
    handle.addEventListener("keydown", (event) => this.onMoveKey(event, item, handle));

    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    checkbox.className = "todo-item-checkbox";
    checkbox.dataset.todoControl = "done";
    checkbox.checked = task.checked;
    checkbox.setAttribute("aria-label", "Done");
    item.classList.toggle("todo-item-done", task.checked);
    checkbox.addEventListener("change", () => {
      const before = { ...task };
      task.checked = checkbox.checked;
      item.classList.toggle("todo-item-done", task.checked);
      this.changeTask(before, this.indexOf(item), (tasks, index) => {
        tasks[index].checked = task.checked;
      });
    });

    const text = document.createElement("textarea");
    text.className = "todo-item-text";
    text.dataset.todoControl = "text";
    text.rows = 1;
    text.spellcheck = false;
    text.placeholder = "empty task";
    text.value = task.text;
    text.setAttribute("aria-label", "Task");
    text.addEventListener("input", () => {
      const before = { ...task };
      task.text = text.value;
      growToFit(text);
      this.changeTask(before, this.indexOf(item), (tasks, index) => {
        tasks[index].text = task.text;
      });
    });
    text.addEventListener("keydown", (event) => this.onItemKey(event, item, text));

    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "todo-item-delete";
    remove.dataset.todoControl = "delete";
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

    const from = this.indexOf(item);
    if (event.key === "ArrowUp") {
      sibling.before(item);
    } else {
      sibling.after(item);
    }
    focusTarget.focus();
    this.move(item, from);
  }

  // Save the move of an item from index `from` to its index now.
  move(item, from) {
    const to = this.indexOf(item);
    if (to === from) {
      return;
    }
    this.changeTask(this.tasks.get(item), from, (tasks, index) => {
      const [moved] = tasks.splice(index, 1);
      tasks.splice(Math.min(to, tasks.length), 0, moved);
    });
  }

  remove(item) {
    const next = item.nextElementSibling ?? item.previousElementSibling;
    const index = this.indexOf(item);
    item.remove();
    this.changeTask(this.tasks.get(item), index, (tasks, found) => {
      tasks.splice(found, 1);
    });
    // A change from elsewhere may have redrawn the items, taking `next` away.
    (next?.isConnected ? next.querySelector(".todo-item-delete") : this.input).focus();
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
    const from = this.indexOf(item);

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
      if (item.isConnected) {
        this.move(item, from);
      }
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
