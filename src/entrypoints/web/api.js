// The page's only way to the server: documented endpoints, nothing else.
// Accounts: /api/auth/* with the session cookie. Everything else: a bearer token from
// /api/auth/token (15 minutes, refreshed when it is about to expire or is refused).

export const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super((problem && (problem.message || problem.detail)) || `request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }
}

const auth = { jwt: null, expires: 0, userId: null, fixed: false };

function claims(jwt) {
  const part = jwt.split(".")[1] || "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(json);
}

function remember(jwt, fixed = false) {
  const payload = claims(jwt);
  auth.jwt = jwt;
  auth.expires = (payload.exp || 0) * 1000;
  auth.userId = payload.sub || payload.user_id;
  auth.fixed = fixed;
  return auth.userId;
}

export function userId() {
  return auth.userId;
}

async function failure(response) {
  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = null;
  }
  const retry = Number(response.headers.get("retry-after")) || (problem && problem.retry_after) || null;
  return new ApiError(response.status, problem, retry);
}

// The page is served with Referrer-Policy: no-referrer, under which a browser sends
// "Origin: null" on POSTs; "same-origin" keeps the real Origin the server checks.
async function authCall(path, method = "GET", body = undefined) {
  const response = await fetch(`/api/auth/${path}`, {
    method,
    credentials: "same-origin",
    referrerPolicy: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function session() {
  let response;
  try {
    response = await authCall("get-session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { accounts: false };
    throw error;
  }
  const found = await response.json();
  const jwt = response.headers.get("set-auth-jwt");
  if (found && jwt) remember(jwt);
  return { accounts: true, found };
}

export async function signUp(name, email, password) {
  await authCall("sign-up/email", "POST", { name, email, password });
  return session();
}

export async function signIn(email, password) {
  await authCall("sign-in/email", "POST", { email, password });
  return session();
}

export async function signOut() {
  const fixed = auth.fixed;
  Object.assign(auth, { jwt: null, expires: 0, userId: null, fixed: false });
  if (!fixed) await authCall("sign-out", "POST");
}

export function useToken(jwt) {
  return remember(jwt.trim(), true);
}

async function bearer(force = false) {
  if (auth.fixed) return auth.jwt;
  if (force || !auth.jwt || Date.now() > auth.expires - 60_000) {
    const response = await authCall("token");
    remember((await response.json()).token);
  }
  return auth.jwt;
}

async function send(path, options, retried = false) {
  const headers = {
    Authorization: `Bearer ${await bearer(retried)}`,
    "X-Timezone": zone,
    ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
    ...(options.headers || {}),
  };
  const response = await fetch(`/api/${encodeURIComponent(auth.userId)}${path}`, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401 && !retried && !auth.fixed) return send(path, options, true);
  if (!response.ok) throw await failure(response);
  return response;
}

export async function api(path, options = {}) {
  const response = await send(path, options);
  return response.status === 204 ? null : response.json();
}

// POST /chat with Accept: text/event-stream, read with fetch (EventSource is GET-only).
export async function* chat(message, conversationId) {
  const body = { message, conversation_id: conversationId, timezone: zone };
  const response = await send("/chat", { method: "POST", body, headers: { Accept: "text/event-stream" } });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (event && data) yield { event: event[1], data: JSON.parse(data[1]) };
    }
  }
}
