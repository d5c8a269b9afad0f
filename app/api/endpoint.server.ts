import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate, browserSessionRequired, type CurrentUser } from "~/services/auth.server";
import { databaseUnavailable } from "~/services/database-unavailable.server";
import { logger } from "~/services/logger.server";
import { apiFailure as apiError } from "~/utils/app-error-response.server";
import { AppError, methodNotAllowed, unauthorized } from "~/utils/errors";
import { apiBody } from "~/utils/request-body.server";
import { parseOrThrow } from "~/utils/validation";
import { idempotentPost } from "./idempotency.server";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/**
 * One description per endpoint: it validates the request in the route and
 * becomes the endpoint's entry in /api/v1/openapi.json (docs/decisions/011).
 */
export type Endpoint<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> = {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** "session": signed in through the browser session cookie only; a bearer token gets 403 (token management). */
  auth: "none" | "optional" | "required" | "session";
  body?: B;
  query?: Q;
  status?: number;
  response?: z.ZodType;
  errors?: number[];
  /** False for a POST whose answer holds a secret shown once: it must never be stored for a replay. */
  idempotent?: false;
};

export const endpoint = <const E extends Endpoint>(def: E) => def;

type Route = `${Method} /${string}`;

/** What an endpoint file writes: `auth` may be left out, and is then "required", so a forgotten line fails closed. */
type Declared = Omit<Endpoint, "method" | "path" | "tag" | "auth"> & { auth?: Endpoint["auth"] };
type WithAuth<R extends Declared> = Omit<R, "auth"> & { auth: R extends { auth: infer A extends Endpoint["auth"] } ? A : "required" };

/**
 * Endpoints of one OpenAPI tag, declared as `"POST /api/v1/…"` plus the rest of the description, so each file names
 * its tag once.
 */
export const tagged =
  (tag: string) =>
  <const R extends Declared>(route: Route, rest: R) => {
    const [method, path] = route.split(" ") as [Method, string];
    // TypeScript types the spread of a generic as an intersection (auth "required" & "none" is never): say the result.
    const def = { method, path, tag, auth: "required", ...rest } as unknown as WithAuth<R> & { method: Method; path: string; tag: string };
    return endpoint(def);
  };

type Ctx<E extends Endpoint> = {
  request: Request;
  params: Record<string, string | undefined>;
  body: E extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;
  query: E extends { query: infer Q extends z.ZodType } ? z.output<Q> : undefined;
  user: E extends { auth: "required" | "session" } ? CurrentUser : CurrentUser | null;
};

export { apiError };

export function errorResponse(error: unknown): Response {
  if (error instanceof Response) return error;
  if (error instanceof AppError) return apiError(error);
  const outage = databaseUnavailable(error);
  if (outage) return apiError(outage);
  logger.error("API request failed", error);
  return apiError(new AppError(500, "internal_error", "Something went wrong on our side. Try again shortly."));
}

/**
 * Who may call an endpoint on this resource, decided from the caller and the
 * URL alone; it throws 403/404 before the query or body is validated.
 */
export type Guard = (ctx: { user: CurrentUser | null; params: Record<string, string | undefined> }) => Promise<void> | void;

// Handlers of different endpoints share one list, so the list cannot name their context type;
// on() checked each handler against its own endpoint's, and handle() builds that context.
type Registered = [Endpoint, (ctx: never) => Promise<Response | unknown>, Guard?];

/** A loader or action made by handle(): the methods it answers (app/server/allowed-methods.ts builds Allow from them). */
export type Handled = ((args: LoaderFunctionArgs | ActionFunctionArgs) => Promise<Response>) & { methods: Method[] };

/** Wraps one or more endpoints of a route module into a Remix loader or action. */
export function handle(...handlers: Registered[]): Handled {
  const methods = handlers.map(([e]) => e.method);
  const run = async ({ request, params }: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response> => {
    const match = handlers.find(([e]) => e.method === request.method);
    // Unsupported methods are answered before Remix (allowed-methods.ts); this is the fallback for the other half of the route.
    if (!match) return apiError(methodNotAllowed(request.method, methods));
    const [def, fn, guard] = match;
    try {
      const signedIn = await authenticate(request);
      const user = signedIn?.user ?? null;
      if ((def.auth === "required" || def.auth === "session") && !user) {
        throw unauthorized("Sign in, or send an API token as 'Authorization: Bearer …'.");
      }
      if (def.auth === "session" && signedIn?.by === "token") throw browserSessionRequired();
      // A refused caller learns nothing about the input rules, nor whether a private id exists.
      await guard?.({ user, params });
      const query = def.query ? parseOrThrow(def.query, Object.fromEntries(new URL(request.url).searchParams)) : undefined;
      const body = def.body ? parseOrThrow(def.body, await apiBody(request)) : undefined;
      const run = async () => {
        const result = await fn({ request, params, body, query, user } as never);
        if (result instanceof Response) return result;
        return Response.json(result, { status: def.status ?? 200 });
      };
      return await (def.idempotent === false ? run() : idempotentPost(request, user, body, run));
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(run, { methods });
}

export type Handler<E extends Endpoint> = (ctx: Ctx<E>) => Promise<Response | unknown>;
export const on = <E extends Endpoint>(def: E, fn: Handler<E>, guard?: Guard): Registered => [def, fn, guard];
