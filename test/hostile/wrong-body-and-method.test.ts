import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// Issue 13 §6: a request with the wrong body or the wrong method is the sender's
// mistake. Every page form answers a JSON, text, empty or broken multipart body with
// 400/415 and a message; every address answers a method it does not handle with 405
// and an Allow header (an API path in the API's error format). None of it is a 500,
// and none of it is logged as an error. The routes come from the built app and the
// API paths from /api/v1/openapi.json, so a new route is covered without a change here.

const root = path.resolve(__dirname, "../..");
const ADMIN = { email: "admin@backline.local", password: DEMO_PASSWORD };
const FAKE_ID = "cm0000000000000000000000x";

type Route = { id: string; parentId?: string; path?: string; index?: boolean; module: Record<string, unknown> };
const routes = (): Route[] => {
  const all = (createRequire(__filename)(path.join(root, "build/index.js")) as { routes: Record<string, Route> }).routes;
  const full = (r: Route): string => [r.parentId ? full(all[r.parentId]!) : "", r.path ?? ""].filter(Boolean).join("/");
  return Object.values(all).map((r) => ({ ...r, path: `/${full(r)}` }));
};

// RFC 8058 one-click unsubscribe: a mail client's POST unsubscribes whatever its body, so that route reads
// no form to refuse; it must still never fail. The Stripe webhook takes Stripe's raw JSON, not a form.
const NOT_FORMS = new Set(["routes/unsubscribe.$key", "routes/webhooks.stripe"]);

let server: TestServer;
let admin: Client;
let threadPath: string;
let postId: string;

/** A concrete address for a route path: real ids where a page needs one to reach its form, a made-up one elsewhere. */
function address(routePath: string) {
  if (routePath.startsWith("/t/:id"))
    return routePath.replace(/^\/t\/:id\/:slug\?/, threadPath).replace(/^\/t\/:id/, threadPath.split("/").slice(0, 3).join("/"));
  return routePath
    .replace(":id/edit", `${postId}/edit`)
    .replace(/\/:\w+\?/g, "")
    .replace(/:\w+/g, FAKE_ID)
    .replace(/\/\*$/, "/nowhere");
}

beforeAll(async () => {
  server = await startServer({ seed: true });
  admin = new Client(server.url);
  expect((await admin.post("/api/v1/session", ADMIN)).status).toBe(200);
  const thread = (await (await admin.get("/api/v1/threads")).json()).threads[0];
  threadPath = `/t/${thread.id}/${thread.slug}`;
  postId = (await (await admin.get(`/api/v1/threads/${thread.id}`)).json()).posts[0].id;
});
afterAll(async () => {
  await server?.stop();
});

const BOUNDARY = "----backline-broken";
const BODIES: { name: string; headers: Record<string, string>; body?: string; status: number; message: RegExp }[] = [
  {
    name: "a JSON body",
    headers: { "Content-Type": "application/json" },
    body: '{"email":"a@example.com","body":"hello"}',
    status: 415,
    message: /takes a web form .* not application\/json/,
  },
  { name: "no body at all", headers: {}, status: 400, message: /carries no form/ },
  {
    name: "a text/plain body",
    headers: { "Content-Type": "text/plain;charset=UTF-8" },
    body: "email=a@example.com",
    status: 415,
    message: /not text\/plain/,
  },
  {
    name: "a multipart body cut off before its end",
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\nhalf a mess`,
    status: 400,
    message: /form could not be read/,
  },
  {
    name: "a file where text belongs",
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="body"; filename="log.txt"\r\nContent-Type: text/plain\r\n\r\nFull log\r\n--${BOUNDARY}--\r\n`,
    status: 400,
    message: /takes no file uploads/,
  },
  {
    name: "a multipart body without a boundary",
    headers: { "Content-Type": "multipart/form-data" },
    body: "email=a",
    status: 400,
    message: /form could not be read/,
  },
];

const formRoutes = () => routes().filter((r) => r.module.action && !r.path!.startsWith("/api/") && !r.path!.endsWith("*"));

describe("page forms sent something that is not a form", () => {
  it("finds the form routes in the built app", () => {
    const ids = formRoutes().map((r) => r.id);
    for (const known of ["routes/login", "routes/new", "routes/t.$id.($slug)", "routes/tickets.$id", "routes/mod.actions", "routes/logout"])
      expect(ids).toContain(known);
  });

  for (const route of formRoutes().filter((r) => !NOT_FORMS.has(r.id))) {
    for (const sent of BODIES) {
      it(`POST ${route.path} with ${sent.name}: ${sent.status} with a message, for a member and (after sign-in or refusal) a visitor`, async () => {
        const url = address(route.path!);
        const asAdmin = await fetch(server.url + url, {
          method: "POST",
          headers: { ...sent.headers, Cookie: admin.cookieHeader() },
          body: sent.body,
          redirect: "manual",
        });
        const text = await asAdmin.text();
        expect({ url, status: asAdmin.status }).toEqual({ url, status: sent.status });
        expect(text).toMatch(sent.message);

        const visitor = await fetch(server.url + url, { method: "POST", headers: sent.headers, body: sent.body, redirect: "manual" });
        await visitor.text();
        // A page for members sends a visitor to sign in before it reads anything, and a desk page is not there
        // for anyone off the desk (404, as its loader); never a 500.
        expect([sent.status, 302, 401, 403, 404]).toContain(visitor.status);
      });
    }
  }

  it("the one-click unsubscribe and the Stripe webhook take such bodies without failing", async () => {
    for (const sent of BODIES) {
      for (const url of [`/unsubscribe/${FAKE_ID}`, "/webhooks/stripe"]) {
        const res = await fetch(server.url + url, { method: "POST", headers: sent.headers, body: sent.body });
        expect(res.status, `${url} with ${sent.name}`).toBeLessThan(500);
        expect((await res.text()).length).toBeGreaterThan(0);
      }
    }
  });

  it("still signs in with a real form after all that", async () => {
    const client = new Client(server.url);
    const res = await client.request("POST", "/login", { form: { ...ADMIN, redirectTo: "/" } });
    expect(res.status).toBe(302);
    expect(client.hasCookie("__session")).toBe(true);
  });
});

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const allowOf = (res: Response) => (res.headers.get("Allow") ?? "").split(/,\s*/).filter(Boolean).sort();

describe("methods an address does not handle", () => {
  it("every API path answers each method it does not document with 405, Allow and the API error format", async () => {
    const doc = await (await admin.get("/api/v1/openapi.json")).json();
    const paths = Object.entries(doc.paths as Record<string, Record<string, unknown>>);
    expect(paths.length).toBeGreaterThan(20);
    const refused: string[] = [];
    for (const [template, operations] of paths) {
      const url = template.replace(/\{\w+\}/g, FAKE_ID);
      const documented = Object.keys(operations).map((m) => m.toUpperCase());
      const allowed = [...documented, ...(documented.includes("GET") ? ["HEAD"] : [])];
      const expectedAllow = [...allowed, "OPTIONS"].sort();
      for (const method of METHODS.filter((m) => !allowed.includes(m))) {
        const res = await admin.request(method, url, method === "GET" || method === "HEAD" ? {} : { json: {} });
        expect({ method, url, status: res.status, allow: allowOf(res) }).toEqual({ method, url, status: 405, allow: expectedAllow });
        refused.push(`${method} ${template}`);
        if (method === "HEAD") continue;
        expect((await res.json()).error).toMatchObject({
          code: "method_not_allowed",
          message: expect.stringContaining(`${method} is not supported`),
        });
      }
      const options = await admin.request("OPTIONS", url);
      expect({ url, status: options.status, allow: allowOf(options) }).toEqual({ url, status: 204, allow: expectedAllow });
    }
    // GET on write-only paths was a 400 "Unexpected Server Error" before.
    expect(refused).toContain("GET /api/v1/tokens");
  });

  it("the OpenAPI document itself is read-only", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      const res = await admin.request(method, "/api/v1/openapi.json", { json: {} });
      expect({ method, status: res.status, allow: allowOf(res) }).toEqual({ method, status: 405, allow: ["GET", "HEAD", "OPTIONS"] });
      expect((await res.json()).error.code).toBe("method_not_allowed");
    }
  });

  it("every page and feed answers a method it does not handle with 405 and Allow", async () => {
    const pages = routes().filter(
      (r) =>
        !r.path!.startsWith("/api/") &&
        !r.path!.endsWith("*") &&
        (r.path !== "/" || r.index) &&
        (r.module.default || r.module.loader || r.module.action),
    );
    expect(pages.length).toBeGreaterThan(30);
    for (const route of pages) {
      const url = `${address(route.path!)}${route.index ? "?index" : ""}`;
      const reads = route.module.default || route.module.loader ? ["GET", "HEAD"] : [];
      const allowed = [...reads, ...(route.module.action ? ["POST"] : [])];
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allowed.includes(m))) {
        const form = method === "GET" ? {} : { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "intent=reply" };
        const res = await fetch(server.url + url, {
          method,
          ...form,
          headers: { ...form.headers, Cookie: admin.cookieHeader() },
          redirect: "manual",
        });
        const text = await res.text();
        expect({ method, url, status: res.status, allow: allowOf(res) }).toEqual({
          method,
          url,
          status: 405,
          allow: [...allowed, "OPTIONS"].sort(),
        });
        expect(text).toMatch(new RegExp(`${method} is not supported`));
      }
    }
  });

  it("an unknown address stays a 404 whatever the method", async () => {
    for (const method of METHODS.filter((m) => m !== "HEAD")) {
      const api = await admin.request(method, "/api/v1/no-such-thing");
      expect({ method, status: api.status }).toEqual({ method, status: 404 });
      expect((await api.json()).error.code).toBe("not_found");
      const page = await fetch(`${server.url}/no-such-page`, { method });
      expect({ method, status: page.status }).toEqual({ method, status: 404 });
    }
  });

  it("a PUT to a sign-in form does not sign anyone in", async () => {
    const client = new Client(server.url);
    const res = await client.request("PUT", "/login", { form: { ...ADMIN, redirectTo: "/" } });
    expect(res.status).toBe(405);
    expect(client.hasCookie("__session")).toBe(false);
  });
});

describe("API bodies that are not JSON", () => {
  // A Buffer, so that fetch adds no Content-Type of its own (it would call a string text/plain).
  const send = (body: string | undefined, type?: string) =>
    fetch(`${server.url}/api/v1/threads`, {
      method: "POST",
      headers: { ...(type ? { "Content-Type": type } : {}), Cookie: admin.cookieHeader() },
      body: body === undefined ? undefined : Buffer.from(body),
    });

  it("answers a wrong type with 415, broken JSON or multipart and an empty body with 400, in the documented format", async () => {
    const cases: [string | undefined, string | undefined, number, string][] = [
      ['{"title":"x"}', "text/plain", 415, "unsupported_media_type"],
      ["<thread/>", "application/xml", 415, "unsupported_media_type"],
      ['{"title": "half', "application/json", 400, "invalid_request"],
      [
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhalf`,
        `multipart/form-data; boundary=${BOUNDARY}`,
        400,
        "invalid_request",
      ],
      ["", "application/json", 400, "invalid_request"],
      [undefined, undefined, 400, "invalid_request"],
    ];
    for (const [body, type, status, code] of cases) {
      const res = await send(body, type);
      const json = await res.json();
      expect({ type, status: res.status, code: json.error?.code }).toEqual({ type, status, code });
      expect(json.error.message.length).toBeGreaterThan(10);
    }
    const doc = await (await admin.get("/api/v1/openapi.json")).json();
    expect(doc.paths["/api/v1/threads"].post.responses["415"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
  });

  it("still takes JSON, with or without a charset or a Content-Type", async () => {
    const doc = await (await admin.get("/api/v1/categories")).json();
    const category = doc[0].slug;
    const body = JSON.stringify({ category, title: "Does the API still take plain JSON?", body: "It should, whatever the charset says." });
    expect((await send(body, "application/json; charset=utf-8")).status).toBe(201);
    expect((await send(body.replace("plain JSON", "JSON without a type"), undefined)).status).toBe(201);
  });
});

describe("afterwards", () => {
  it("logged no error for any of it", () => {
    expect(server.output()).not.toMatch(/error|exception|unhandled/i);
  });
});
