import { createCookieSessionStorage } from "@remix-run/node";
import { getEnv } from "~/env.server";

let storage: ReturnType<typeof createCookieSessionStorage<{ sessionId: string }, { toast: string }>> | undefined;

// The cookie holds only the id of a database session row (docs/decisions/007).
export function sessionStorage() {
  const env = getEnv();
  storage ??= createCookieSessionStorage<{ sessionId: string }, { toast: string }>({
    cookie: {
      name: "__session",
      httpOnly: true,
      sameSite: "lax",
      // Over plain HTTP (development, tests) a Secure cookie would never come back.
      secure: env.servedOverHttps,
      path: "/",
      secrets: [env.sessionSecret],
      maxAge: env.SESSION_DAYS * 86400,
    },
  });
  return storage;
}

export const getCookieSession = (request: Request) => sessionStorage().getSession(request.headers.get("Cookie"));
