// Start-up and accounts: show the sign-in form or the app, and switch between them.
import { ApiError, session, signIn, signOut, signUp, useToken } from "./api.js";
import * as chat from "./chat.js";
import * as tasks from "./tasks.js";

const $ = (id) => document.getElementById(id);
let signingUp = false;
let accountsOn = true;

function showError(text) {
  const alert = $("alert");
  alert.textContent = text;
  alert.hidden = !text;
}

function reportError(error) {
  showError(typeof error === "string" ? error : chat.explain(error));
}

function showAuth(accounts) {
  $("app").hidden = true;
  $("who").hidden = true;
  $("auth").hidden = false;
  $("auth-form").closest(".card").hidden = !accounts;
  $("no-accounts").hidden = accounts;
  (accounts ? $("email") : $("token")).focus();
}

function showApp(name) {
  showError("");
  $("auth").hidden = true;
  $("app").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = name ? `Signed in as ${name}` : "Signed in";
  chat.loadConversations();
  tasks.refresh();
  $("message").focus();
}

function setMode(up) {
  signingUp = up;
  $("auth-title").textContent = up ? "Create an account" : "Sign in";
  $("auth-submit").textContent = up ? "Create account" : "Sign in";
  $("name-field").hidden = !up;
  $("password").autocomplete = up ? "new-password" : "current-password";
  $("switch-text").textContent = up ? "Have an account?" : "New here?";
  $("auth-switch").textContent = up ? "Sign in instead" : "Create an account";
  $("auth-error").hidden = true;
}

function authMessage(error) {
  if (!(error instanceof ApiError)) return "Connection lost. Check your connection and try again.";
  const field = (error.problem.errors || [])[0];
  if (error.status === 422 && field) return `${field.field === "email" ? "E-mail" : "Password"}: ${field.message}.`;
  if (error.status === 429) return `Too many attempts. Try again in ${error.retryAfter || 60} s.`;
  return error.problem.message || error.message;
}

async function submitAuth(event) {
  event.preventDefault();
  const email = $("email").value;
  const password = $("password").value;
  $("auth-submit").disabled = true;
  try {
    const state = signingUp ? await signUp($("name").value, email, password) : await signIn(email, password);
    $("password").value = "";
    showApp(state.found.user.name || state.found.user.email);
  } catch (error) {
    $("auth-error").textContent = authMessage(error);
    $("auth-error").hidden = false;
  } finally {
    $("auth-submit").disabled = false;
  }
}

async function start() {
  chat.setup(reportError);
  tasks.setup(reportError);
  $("auth-form").addEventListener("submit", submitAuth);
  $("auth-switch").addEventListener("click", () => setMode(!signingUp));
  $("sign-out").addEventListener("click", async () => {
    try {
      await signOut();
    } catch (error) {
      reportError(error);
    }
    chat.reset();
    $("task-list").replaceChildren();
    showAuth(accountsOn);
    setMode(false);
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    try {
      showApp(useToken($("token").value));
    } catch {
      showError("That is not a token (a JWT has three parts separated by dots).");
    }
  });
  try {
    const state = await session();
    accountsOn = state.accounts;
    if (state.accounts && state.found) showApp(state.found.user.name || state.found.user.email);
    else showAuth(state.accounts);
  } catch (error) {
    showAuth(true);
    reportError(error);
  }
}

start();
