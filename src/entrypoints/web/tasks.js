// The task panel: a view of GET /tasks, changed through the REST API (check off, add,
// edit, delete with undo) and refreshed whenever the assistant changed something.
import { api } from "./api.js";

const $ = (id) => document.getElementById(id);
let filter = "pending";
let onError = () => {};

function localDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function dayName(iso) {
  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  const names = { [localDate(today)]: "today", [localDate(tomorrow)]: "tomorrow", [localDate(yesterday)]: "yesterday" };
  if (names[iso]) return names[iso];
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
}

// An all-day due (YYYY-MM-DD) is overdue once its day has passed here; an instant once it is past.
export function describeDue(task, now = new Date()) {
  if (!task.due) return null;
  const allDay = task.due.length === 10;
  const day = allDay ? task.due : localDate(new Date(task.due));
  const overdue = !task.completed && (allDay ? day < localDate(now) : new Date(task.due) < now);
  let text = `due ${dayName(day)}`;
  if (!allDay) text += ` ${new Date(task.due).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}`;
  return { day, text: overdue ? `overdue, ${text}` : text, overdue };
}

function button(text, label, handler) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "quiet small";
  element.textContent = text;
  element.setAttribute("aria-label", label);
  element.addEventListener("click", handler);
  return element;
}

function row(task) {
  const item = document.createElement("li");
  item.className = "task" + (task.completed ? " done" : "");
  item.dataset.id = task.id;
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = `task-${task.id}`;
  box.checked = task.completed;
  box.addEventListener("change", () => change(() => api(`/tasks/${task.id}/complete`, { method: "PATCH" })));
  const label = document.createElement("label");
  label.htmlFor = box.id;
  label.className = "title";
  label.textContent = task.title;
  item.append(box, label);
  const due = describeDue(task);
  if (due) {
    const time = document.createElement("time");
    time.dateTime = due.day;
    time.className = "due" + (due.overdue ? " overdue" : "");
    time.textContent = due.text;
    item.append(time);
  }
  const actions = document.createElement("span");
  actions.className = "actions";
  actions.append(
    button("Edit", `Edit “${task.title}”`, () => edit(item, task)),
    button("Delete", `Delete “${task.title}”`, () => remove(task)),
  );
  item.append(actions);
  return item;
}

function edit(item, task) {
  const form = document.createElement("form");
  form.className = "edit";
  const input = document.createElement("input");
  input.value = task.title;
  input.maxLength = 200;
  input.setAttribute("aria-label", "Task title");
  const save = document.createElement("button");
  save.className = "quiet small";
  save.textContent = "Save";
  form.append(input, save, button("Cancel", "Cancel editing", () => refresh()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    change(() => api(`/tasks/${task.id}`, { method: "PATCH", body: { title: input.value } }));
  });
  input.addEventListener("keydown", (event) => event.key === "Escape" && refresh());
  item.replaceChildren(form);
  input.focus();
}

function remove(task) {
  change(async () => {
    await api(`/tasks/${task.id}`, { method: "DELETE" });
    showUndo(`Deleted “${task.title}”.`, () => change(() => api(`/tasks/${task.id}/restore`, { method: "POST" })));
  });
}

let undoTimer = null;
function showUndo(text, undo) {
  const toast = $("toast");
  $("toast-text").textContent = text;
  $("toast-undo").onclick = () => {
    toast.hidden = true;
    undo();
  };
  toast.hidden = false;
  clearTimeout(undoTimer);
  undoTimer = setTimeout(() => (toast.hidden = true), 10_000);
}

async function change(action) {
  try {
    await action();
  } catch (error) {
    onError(error);
  }
  await refresh();
}

export async function refresh() {
  try {
    const page = await api(`/tasks?status=${filter}&sort=due&limit=100`);
    const list = $("task-list");
    list.replaceChildren(...page.items.map(row));
    $("tasks-empty").hidden = page.items.length > 0;
  } catch (error) {
    onError(error);
  }
}

export function setup(reportError) {
  onError = reportError;
  for (const radio of document.querySelectorAll('input[name="filter"]')) {
    radio.addEventListener("change", () => {
      filter = radio.value;
      refresh();
    });
  }
  $("add-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = $("new-title").value.trim();
    if (!title) return;
    const due = $("new-due").value || undefined;
    change(async () => {
      await api("/tasks", { method: "POST", body: due ? { title, due } : { title } });
      $("new-title").value = "";
      $("new-due").value = "";
    });
  });
}
