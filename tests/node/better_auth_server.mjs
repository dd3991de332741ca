// The real Better Auth (email/password + its JWT plugin, memory adapter) as a standalone
// auth server on 127.0.0.1:$PORT, for tests/e2e/test_better_auth_real.py.
import http from "node:http";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
  emailAndPassword: { enabled: true },
  plugins: [jwt()],
  telemetry: { enabled: false },
});

http.createServer(toNodeHandler(auth)).listen(port, "127.0.0.1", () => console.log(`ready ${baseURL}`));
