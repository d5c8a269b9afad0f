import { redirect } from "@remix-run/node";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import { z } from "zod";
import { revokeAllAccess } from "~/models/accounts/account-access.server";
import { userForToken } from "~/models/accounts/api-token.server";
import { createAuthSession, revokeSession, userForSession } from "~/models/accounts/auth-session.server";
import { enforce, refund, reserve, reset } from "~/models/rate-limit.server";
import { findUserById, verifyCredentials } from "~/models/accounts/user.server";
import { AppError, forbidden, unauthorized } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { getCookieSession, sessionStorage } from "./session.server";

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof userForSession>>>;

export const loginSchema = z
  .object({
    email: z.string().trim().toLowerCase().min(1, "Enter your e-mail address."),
    password: z.string().min(1, "Enter your password."),
  })
  .meta({ id: "Login" });

// Five failures per account or twenty per address in 15 minutes, then a pause.
const loginLimits = (email: string, ip: string) => [
  { key: `login:${email}`, max: 5, windowSeconds: 900, what: "failed sign-in attempts" },
  { key: `login-ip:${ip}`, max: 20, windowSeconds: 900, what: "failed sign-in attempts" },
];

export const authenticator = new Authenticator<CurrentUser>();

authenticator.use(
  new FormStrategy(async ({ form, request }) => {
    const { email, password } = parseOrThrow(loginSchema, {
      email: form.get("email") ?? "",
      password: form.get("password") ?? "",
    });
    const limits = loginLimits(email, clientIp(request));
    // Counted before the password is checked, so a parallel burst of guesses gets no more than the limit tried.
    const reserved = await reserve(limits);
    const user = await verifyCredentials(email, password);
    if (!user) {
      throw new AppError(401, "invalid_credentials", "That e-mail and password do not match an account.", {
        password: "That e-mail and password do not match an account.",
      });
    }
    // A success is not a failed attempt: the account starts afresh and the address gets its attempt back.
    await reset(limits[0]!.key);
    await refund(reserved.slice(1));
    const current = await findUserById(user.id);
    if (!current) throw unauthorized();
    return current;
  }),
  "form",
);

export function clientIp(request: Request): string {
  // Set by our own server (app/server/http.ts) from the socket, or from X-Forwarded-For only through the
  // proxies TRUST_PROXY names; whatever the client sent under this name is overwritten there.
  return request.headers.get("x-backline-client-ip") ?? "unknown";
}

/**
 * Whom a shared rate limit counts (docs/decisions/025): a signed-in member's own account, so one member
 * cannot use up the budget of everyone behind the same address (an office, a load balancer); only
 * anonymous requests count on the client address.
 */
export function limitSubject(request: Request, user: { id: string } | null): { key: string; from: string } {
  return user ? { key: `user:${user.id}`, from: "your account" } : { key: `ip:${clientIp(request)}`, from: "this address" };
}

/** Ten new accounts an hour from one client address, whether through the form or the API. */
export async function enforceSignupRate(request: Request) {
  await enforce({ key: `signup:${clientIp(request)}`, max: 10, windowSeconds: 3600, what: "sign-ups from this address" });
}

/** Authenticates a form or JSON login; returns the user and the Set-Cookie header. */
export async function login(request: Request) {
  const user = await authenticator.authenticate("form", request);
  const row = await createAuthSession(user.id, request.headers.get("User-Agent"));
  // A new session from nothing: whatever cookie came with the sign-in (planted by
  // someone else, or an earlier sign-in on this browser) carries nothing over,
  // and the session it named ends here instead of staying valid unseen.
  const previous = (await getCookieSession(request)).get("sessionId");
  if (previous) await revokeSession(previous);
  const session = await sessionStorage().getSession();
  session.set("sessionId", row.id);
  return { user, setCookie: await sessionStorage().commitSession(session) };
}

export async function logout(request: Request) {
  const session = await getCookieSession(request);
  const id = session.get("sessionId");
  if (id) await revokeSession(id);
  return sessionStorage().destroySession(session);
}

const BEARER = /^bearer(?:\s+|$)/i;

/** The token after `Authorization: Bearer` (the scheme in any case, RFC 9110), or null when none is sent. */
function bearerToken(request: Request): string | null {
  const authz = request.headers.get("Authorization")?.trim();
  return authz && BEARER.test(authz) ? authz.replace(BEARER, "") : null;
}

/** Who is signed in and with what: a token sent with the request is the credential, whatever cookie comes along. */
export async function authenticate(request: Request): Promise<{ user: CurrentUser; by: "token" | "session" } | null> {
  const token = bearerToken(request);
  if (token !== null) {
    const user = await userForToken(token);
    return user ? { user, by: "token" } : null;
  }
  const id = (await getCookieSession(request)).get("sessionId");
  const user = id ? await userForSession(id) : null;
  return user ? { user, by: "session" } : null;
}

/** The signed-in user from a bearer token or the session cookie, else null. */
export async function getUser(request: Request): Promise<CurrentUser | null> {
  return (await authenticate(request))?.user ?? null;
}

// A stolen token must not outlive its own revocation by minting a successor.
export const browserSessionRequired = () =>
  forbidden("API tokens cannot create API tokens. Create one in a signed-in browser session, under Account settings.");

/** Token management: only the browser session signed in with the password, never a bearer token. */
export async function requireBrowserSession(request: Request): Promise<CurrentUser> {
  const signedIn = await authenticate(request);
  if (!signedIn) throw unauthorized();
  if (signedIn.by === "token") throw browserSessionRequired();
  return signedIn.user;
}

/** "Sign out everywhere": ends all of the account's access and answers with the Set-Cookie that clears this browser's. */
export async function signOutEverywhere(request: Request, user: CurrentUser) {
  await revokeAllAccess(user.id);
  return sessionStorage().destroySession(await getCookieSession(request));
}

/** For API routes: 401 JSON when signed out. */
export async function requireApiUser(request: Request): Promise<CurrentUser> {
  const user = await getUser(request);
  if (!user) throw unauthorized("Sign in, or send an API token as 'Authorization: Bearer …'.");
  return user;
}

/** For pages: a redirect to the sign-in page that comes back here. */
export async function requireUser(request: Request): Promise<CurrentUser> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return user;
}

/** The JSON API signs in through the same FormStrategy as the browser form. */
export function asFormRequest(request: Request, fields: Record<string, string>) {
  const headers = new Headers(request.headers);
  headers.set("Content-Type", "application/x-www-form-urlencoded");
  headers.delete("Content-Length");
  return new Request(request.url, { method: "POST", headers, body: new URLSearchParams(fields) });
}
