import { redirect } from "@remix-run/node";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import { z } from "zod";
// The signed-in user's shape only: no account rule runs here.
import type { SessionUser } from "~/models/accounts/auth-session.server";
import { pageFailure } from "~/utils/app-error-response.server";
import { forbidden, isAppError, unauthorized } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { getCookieSession, sessionStorage } from "./session.server";

// Sign-in over HTTP: the form and JSON login, the session cookie, bearer tokens.
// What makes credentials, sessions and tokens valid is the accounts' business
// (app/models/accounts): app/entry.server.tsx connects them when the app loads.

export type CurrentUser = SessionUser;

/** What sign-in asks of the accounts. */
export type Accounts = {
  /** The account these credentials open; an AppError when they open none or too many attempts were made. */
  signIn(credentials: { email: string; password: string; clientIp: string }): Promise<CurrentUser>;
  userForSession(sessionId: string): Promise<CurrentUser | null>;
  userForToken(token: string): Promise<CurrentUser | null>;
  startSession(userId: string, userAgent: string | null): Promise<{ id: string }>;
  endSession(sessionId: string): Promise<unknown>;
  /** Every session and token of the account ends. */
  endAllAccess(userId: string): Promise<unknown>;
  /** Counts a new account from this address; an AppError (429) past the limit. */
  signUpFrom(clientIp: string): Promise<unknown>;
  /** Why this account may not act now (a suspension: 403 saying until when), or null. */
  refusal(user: CurrentUser): Error | null;
};

let connected: Accounts | undefined;

export function connectAccounts(accounts: Accounts) {
  connected = accounts;
}

function accounts(): Accounts {
  if (!connected) throw new Error("Sign-in has no accounts: connectAccounts() runs when the app loads (app/entry.server.tsx).");
  return connected;
}

export const loginSchema = z
  .object({
    email: z.string().trim().toLowerCase().min(1, "Enter your e-mail address."),
    password: z.string().min(1, "Enter your password."),
  })
  .meta({ id: "Login" });

export const authenticator = new Authenticator<CurrentUser>();

authenticator.use(
  new FormStrategy(async ({ form, request }) => {
    const { email, password } = parseOrThrow(loginSchema, {
      email: form.get("email") ?? "",
      password: form.get("password") ?? "",
    });
    return accounts().signIn({ email, password, clientIp: clientIp(request) });
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

/** A new account, through the form or the API, counts against its client address. */
export async function enforceSignupRate(request: Request) {
  await accounts().signUpFrom(clientIp(request));
}

/** Authenticates a form or JSON login; returns the user and the Set-Cookie header. */
export async function login(request: Request) {
  const user = await authenticator.authenticate("form", request);
  const refused = accounts().refusal(user);
  if (refused) throw refused;
  const row = await accounts().startSession(user.id, request.headers.get("User-Agent"));
  // A new session from nothing: whatever cookie came with the sign-in (planted by
  // someone else, or an earlier sign-in on this browser) carries nothing over,
  // and the session it named ends here instead of staying valid unseen.
  const previous = (await getCookieSession(request)).get("sessionId");
  if (previous) await accounts().endSession(previous);
  const session = await sessionStorage().getSession();
  session.set("sessionId", row.id);
  return { user, setCookie: await sessionStorage().commitSession(session) };
}

export async function logout(request: Request) {
  const session = await getCookieSession(request);
  const id = session.get("sessionId");
  if (id) await accounts().endSession(id);
  return sessionStorage().destroySession(session);
}

const BEARER = /^bearer(?:\s+|$)/i;

/** The token after `Authorization: Bearer` (the scheme in any case, RFC 9110), or null when none is sent. */
function bearerToken(request: Request): string | null {
  const authz = request.headers.get("Authorization")?.trim();
  return authz && BEARER.test(authz) ? authz.replace(BEARER, "") : null;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Who is signed in and with what: a token sent with the request is the credential, whatever cookie comes along.
 * The one place a refused account (suspended) is stopped: its tokens get the 403 on every request, its
 * browser sessions on every write, and read pages as a visitor meanwhile, so the forum stays readable.
 */
export async function authenticate(request: Request): Promise<{ user: CurrentUser; by: "token" | "session" } | null> {
  const token = bearerToken(request);
  const signedIn = token !== null ? await byToken(token) : await bySession(request);
  if (!signedIn) return null;
  const refused = accounts().refusal(signedIn.user);
  if (!refused) return signedIn;
  if (signedIn.by === "session" && READS.has(request.method)) return null;
  throw refused;
}

async function byToken(token: string) {
  const user = await accounts().userForToken(token);
  return user ? { user, by: "token" as const } : null;
}

async function bySession(request: Request) {
  const user = await sessionUser(request, accounts().userForSession);
  return user ? { user, by: "session" as const } : null;
}

async function sessionUser<U>(request: Request, lookup: (sessionId: string) => Promise<U | null>): Promise<U | null> {
  const id = (await getCookieSession(request)).get("sessionId");
  return id ? lookup(id) : null;
}

/**
 * For a browser's read (GET, HEAD, without a bearer token): the member its session cookie signs in, as `getUser`
 * finds them, looked up by `lookup` (the accounts' session look-up with more of their own rows in the same
 * statement, docs/decisions/042). Null when nobody is signed in, and for a refused account, which reads as a visitor.
 */
export async function sessionReader<U extends CurrentUser>(request: Request, lookup: (sessionId: string) => Promise<U | null>) {
  const user = await sessionUser(request, lookup);
  return user && !accounts().refusal(user) ? user : null;
}

/** The signed-in user from a bearer token or the session cookie, else null; for pages (the API goes through authenticate). */
export async function getUser(request: Request): Promise<CurrentUser | null> {
  try {
    return (await authenticate(request))?.user ?? null;
  } catch (error) {
    // A refused account's write from a page: the error page with the 403 and its reason, not a 500.
    throw isAppError(error) ? pageFailure(error) : error;
  }
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
  await accounts().endAllAccess(user.id);
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
