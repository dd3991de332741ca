// The chat panel and the conversation list: replies stream in, each tool call shows as it
// happens, and the task panel is refreshed when the assistant changed a task.
import { ApiError, api, chat } from "./api.js";
import { refresh as refreshTasks } from "./tasks.js";

const $ = (id) => document.getElementById(id);
const READ_ONLY_TOOLS = new Set(["list_tasks", "get_task"]);
let current = null; // the open conversation's id (null: a new one starts with the next message)
let busy = false;
let showError = () => {};

function bubble(role, text) {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const who = document.createElement("span");
  who.className = "sr-only";
  who.textContent = role === "user" ? "You: " : "Assistant: ";
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  item.append(who, body);
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
  return body;
}

function toolLine(name, args, before = null) {
  const item = document.createElement("li");
  item.className = "message tool";
  const summary = args && (args.title || args.task_id || args.status || "");
  item.textContent = `⚙ ${name.replace(/_/g, " ")}${summary ? `: ${summary}` : ""} …`;
  if (before) before.before(item);
  else $("messages").append(item);
  return item;
}

function finishTool(line, result, isError) {
  line.textContent = line.textContent.replace(/ …$/, isError ? " — failed" : " — done");
  if (isError && result && result.error) line.title = result.error;
  line.classList.toggle("failed", Boolean(isError));
}

export function explain(error) {
  if (error instanceof ApiError) {
    const wait = error.retryAfter ? ` Try again in ${error.retryAfter} s.` : "";
    if (error.status === 429) return `You are sending messages too fast.${wait} Your message is still in the box.`;
    if (error.status === 503) return `The assistant is unavailable right now.${wait} Your message is kept.`;
    if (error.status === 401) return "Your session has ended. Sign in again.";
    return error.message;
  }
  return "Connection lost. Check your connection and try again; your message is kept.";
}

async function send(text) {
  bubble("user", text);
  const reply = bubble("assistant", "");
  const lines = new Map();
  let changed = false;
  try {
    for await (const { event, data } of chat(text, current)) {
      if (event === "tool_call") lines.set(data.call_id, toolLine(data.name, data.arguments, reply.parentElement));
      else if (event === "tool_result") {
        finishTool(lines.get(data.call_id) || toolLine(data.name, {}, reply.parentElement), data.result, data.is_error);
        if (!data.is_error && !READ_ONLY_TOOLS.has(data.name)) {
          changed = true;
          refreshTasks();
        }
      } else if (event === "delta") reply.textContent += data.text;
      else if (event === "done") {
        current = data.conversation_id;
        reply.textContent = data.response;
        $("announce").textContent = data.response;
      } else if (event === "error") {
        if (data.conversation_id) current = data.conversation_id;
        throw new ApiError(data.status, data, data.retry_after);
      }
    }
    return true;
  } catch (error) {
    reply.parentElement.remove();
    if (error instanceof ApiError && error.problem.conversation_id) current = error.problem.conversation_id;
    showError(explain(error));
    return false;
  } finally {
    if (changed) refreshTasks();
    loadConversations();
  }
}

export async function loadConversations() {
  try {
    const page = await api("/conversations?limit=30");
    $("conversation-list").replaceChildren(
      ...page.items.map((conversation) => {
        const item = document.createElement("li");
        const open = document.createElement("button");
        open.type = "button";
        open.className = "link";
        open.textContent = conversation.title || `Conversation ${conversation.id}`;
        if (conversation.id === current) open.setAttribute("aria-current", "true");
        open.addEventListener("click", () => openConversation(conversation.id));
        item.append(open);
        return item;
      }),
    );
  } catch (error) {
    showError(explain(error));
  }
}

async function openConversation(id) {
  try {
    const conversation = await api(`/conversations/${id}?limit=100`);
    current = id;
    $("messages").replaceChildren();
    for (const message of conversation.messages) {
      for (const call of message.tool_calls || []) finishTool(toolLine(call.name, call.arguments), call.result, call.is_error);
      bubble(message.role, message.content);
    }
    loadConversations();
    $("message").focus();
  } catch (error) {
    showError(explain(error));
  }
}

export function reset() {
  current = null;
  $("messages").replaceChildren();
  $("conversation-list").replaceChildren();
}

export function setup(reportError) {
  showError = reportError;
  const box = $("message");
  const submit = async () => {
    const text = box.value.trim();
    if (!text || busy) return;
    busy = true;
    $("send").disabled = true;
    box.value = "";
    const sent = await send(text);
    if (!sent && !box.value) box.value = text; // keep what the user typed
    busy = false;
    $("send").disabled = false;
    box.focus();
  };
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  $("new-conversation").addEventListener("click", () => {
    current = null;
    $("messages").replaceChildren();
    loadConversations();
    box.focus();
  });
}
