import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// Every value the OpenAPI document promises for a query parameter must be accepted: a query parsed twice
// (once by the endpoint, once more by the model) refused `?solved=true`, because a transformed value is
// not valid input again. This walks the document, so a new endpoint or parameter is covered as it comes.

type Schema = { type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; $ref?: string };
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[] };

let server: TestServer;
let admin: Client;
let ids: Record<string, string>;

/** The values a schema documents: each enum member, and true/false for a boolean. */
function documentedValues(schema: Schema | undefined): string[] {
  if (!schema) return [];
  const values = new Set<string>();
  for (const v of schema.enum ?? []) values.add(String(v));
  if (schema.const !== undefined) values.add(String(schema.const));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes("boolean")) ["true", "false"].forEach((v) => values.add(v));
  for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) documentedValues(part).forEach((v) => values.add(v));
  return [...values];
}

/** A value a required parameter will take, so that only the parameter under test varies. */
const filler = (p: Parameter) => (p.schema?.type === "integer" || p.schema?.type === "number" ? "1" : "webhook");

function pathFor(template: string) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const resource = template.split("/")[3]!;
    const value = name === "username" ? ids.username : ids[resource];
    if (!value) throw new Error(`No seeded ${resource} to fill {${name}} in ${template}: add one to this test.`);
    return encodeURIComponent(value);
  });
}

beforeAll(async () => {
  server = await startServer({ seed: true });
  admin = new Client(server.url);
  expect((await admin.post("/api/v1/session", { email: "admin@backline.local", password: DEMO_PASSWORD })).status).toBe(200);
  const me = (await (await admin.get("/api/v1/me")).json()) as { username: string };
  const { threads } = (await (await admin.get("/api/v1/threads")).json()) as { threads: { id: string }[] };
  const thread = (await (await admin.get(`/api/v1/threads/${threads[0]!.id}`)).json()) as { id: string; posts: { id: string }[] };
  const categories = (await (await admin.get("/api/v1/categories")).json()) as { slug: string }[] | { categories: { slug: string }[] };
  const category = Array.isArray(categories) ? categories[0] : categories.categories[0];
  const tickets = (await (await admin.get("/api/v1/tickets")).json()) as { id: string }[];
  ids = {
    threads: thread.id,
    posts: thread.posts[0]!.id,
    categories: category!.slug,
    // No ticket is seeded: an unknown id answers 404 before any query is read, which is not a 400 either.
    tickets: tickets[0]?.id ?? "no-such-ticket",
    users: me.username,
    username: me.username,
  };
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("documented query values", () => {
  it("every enum value and boolean of every GET operation's query parameters is accepted (never 400)", async () => {
    const doc = (await (await admin.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
    const refused: string[] = [];
    let sent = 0;
    for (const [template, operations] of Object.entries(doc.paths)) {
      const get = operations.get;
      if (!get) continue;
      const query = (get.parameters ?? []).filter((p) => p.in === "query");
      const required = query.filter((p) => p.required);
      for (const param of query) {
        for (const value of documentedValues(param.schema)) {
          const search = new URLSearchParams(required.filter((r) => r.name !== param.name).map((r) => [r.name, filler(r)]));
          search.set(param.name, value);
          const path = `${pathFor(template)}?${search}`;
          const res = await admin.get(path);
          sent++;
          if (res.status === 400) refused.push(`${path}: ${await res.text()}`);
          else await res.arrayBuffer();
        }
      }
    }
    expect(refused).toEqual([]);
    // The walk must really reach the parameters (threads' solved and sort, tickets' and the desk's states, the flag queue…).
    expect(sent).toBeGreaterThan(20);
  }, 180_000);

  it("lists solved and unsolved threads over the API (the value was refused with 400 when parsed twice)", async () => {
    const all = (await (await admin.get("/api/v1/threads")).json()) as { total: number };
    let total = 0;
    for (const solved of [true, false]) {
      const res = await admin.get(`/api/v1/threads?solved=${solved}`);
      expect(res.status).toBe(200);
      const list = (await res.json()) as { total: number; threads: { solved: boolean }[] };
      expect(list.threads.length).toBeGreaterThan(0);
      expect(list.threads.every((t) => t.solved === solved)).toBe(true);
      total += list.total;
    }
    // Solved and unsolved together are every thread.
    expect(total).toBe(all.total);
  });
});
