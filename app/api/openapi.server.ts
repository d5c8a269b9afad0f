import { z } from "zod";
import type { Endpoint } from "./endpoint.server";
import * as accounts from "./endpoints/accounts";
import * as availability from "./endpoints/availability";
import * as categories from "./endpoints/categories";
import * as moderation from "./endpoints/moderation";
import * as people from "./endpoints/people";
import * as search from "./endpoints/search";
import * as support from "./endpoints/support";
import * as desk from "./endpoints/desk";
import * as threads from "./endpoints/threads";

// Every endpoint module is listed here once; the document is derived from the
// same zod schemas the routes validate with, so it cannot drift.
const MODULES = [accounts, categories, threads, moderation, people, support, availability, search, desk];

const isEndpoint = (v: unknown): v is Endpoint => typeof v === "object" && v !== null && "method" in v && "path" in v && "summary" in v;

export const allEndpoints = (): Endpoint[] => MODULES.flatMap((m) => Object.values(m).filter(isEndpoint));

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input; `error.fields` names each problem",
  401: "Not signed in",
  403: "Not allowed",
  404: "Not found, or not yours",
  405: "Method not allowed",
  409: "Conflict with the current state",
  415: "The body is not JSON (send `Content-Type: application/json`)",
  429: "Too many requests; wait for `Retry-After` seconds",
};

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string().describe("A sentence a person can act on"),
      fields: z.record(z.string(), z.string()).optional(),
      reopensAt: z.iso.datetime().nullable().optional().describe("support_paused only: when intake reopens, if known"),
    }),
  })
  .meta({ id: "Error" });

type JsonSchema = Record<string, unknown>;

// Signed-in POSTs are applied once per key (app/api/idempotency.server.ts).
const idempotencyParameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "For signed-in requests, any unique string (a UUID): a repeat of the same request with the same key answers the first result (with `Idempotent-Replayed: true`) instead of acting twice. Keys are kept for 24 hours.",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};

export function buildOpenApi(serverUrl: string) {
  const components: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    const toComponents = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/'));
    for (const [name, def] of Object.entries(defs)) {
      // A schema used for input and output (User) differs only in defaults; the output shape wins.
      const key = io === "input" && components[name] && !name.startsWith("Create") ? `${name}Input` : name;
      // Named schemas nest (a Ticket holds a Tier): their own references move to components too.
      components[key] ??= toComponents(def);
    }
    return toComponents(json);
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of allEndpoints()) {
    const oaPath = e.path.replace(/:(\w+)/g, "{$1}");
    const params = [...e.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const inline = e.query ? toSchema(e.query, "input") : undefined;
    // A named query schema (ListThreadsQuery) comes back as a reference: its properties are the parameters all the same.
    const ref = typeof inline?.$ref === "string" ? inline.$ref.replace("#/components/schemas/", "") : undefined;
    const query = ref ? components[ref] : inline;
    const queryParams = Object.entries((query?.properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
      name,
      in: "query",
      required: ((query?.required as string[]) ?? []).includes(name),
      schema,
    }));
    const status = String(e.status ?? 200);
    const responses: Record<string, unknown> = {
      [status]: e.response
        ? { description: "Success", content: { "application/json": { schema: toSchema(e.response, "output") } } }
        : { description: "Success" },
    };
    const signedIn = e.auth === "required" || e.auth === "session";
    const errors = new Set([
      ...(e.errors ?? []),
      ...(signedIn ? [401] : []),
      ...(e.auth === "session" ? [403] : []),
      ...(e.body || e.query ? [400] : []),
      // An id in the path that names nothing, or nothing this caller may see.
      ...(e.path.includes("/:") ? [404] : []),
      ...(e.body ? [415] : []),
    ]);
    for (const code of [...errors].sort()) {
      responses[String(code)] = {
        description: ERROR_TEXT[code] ?? "Error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    paths[oaPath] ??= {};
    paths[oaPath][e.method.toLowerCase()] = {
      summary: e.summary,
      tags: [e.tag],
      operationId: `${e.method.toLowerCase()}${oaPath.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      ...(signedIn ? { security: e.auth === "session" ? [{ cookie: [] }] : [{ cookie: [] }, { bearer: [] }] } : {}),
      ...(params.length || queryParams.length || e.method === "POST"
        ? { parameters: [...params, ...queryParams, ...(e.method === "POST" && e.idempotent !== false ? [idempotencyParameter] : [])] }
        : {}),
      ...(e.body ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(e.body, "input") } } } } : {}),
      responses,
    };
  }
  toSchema(errorSchema, "output");

  return {
    openapi: "3.1.0",
    info: {
      title: "Backline API",
      version: "1.0.0",
      description:
        "Everything a member, moderator or maintainer can do in the browser. Authenticate with the session cookie from POST /api/v1/session, or with `Authorization: Bearer <token>` from POST /api/v1/tokens (created with the session cookie, never with a token). DELETE /api/v1/sessions signs out everywhere and revokes every token.",
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        cookie: { type: "apiKey", in: "cookie", name: "__session" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
  };
}
