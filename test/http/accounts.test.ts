import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const account = { username: "http_user", email: "http@example.com", password: TEST_PASSWORD };

describe("accounts over HTTP against the built server", () => {
  it("signs up, signs in with the cookie, and signs out", async () => {
    const client = new Client(server.url);
    const created = await client.post("/api/v1/users", account);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ username: account.username, role: "member" });

    expect((await client.get("/api/v1/me")).status).toBe(401);
    const signedIn = await client.post("/api/v1/session", { email: account.email, password: account.password });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("set-cookie")).toMatch(/__session=.*HttpOnly.*SameSite=Lax/i);

    const me = await client.get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      username: account.username,
      email: account.email,
      permissions: expect.arrayContaining(["thread:create"]),
    });

    const home = await (await client.get("/")).text();
    expect(home).toContain(account.username);

    expect((await client.request("DELETE", "/api/v1/session")).status).toBe(204);
    expect((await client.get("/api/v1/me")).status).toBe(401);
  });

  it("answers bad input in the API error format", async () => {
    const client = new Client(server.url);
    const duplicate = await client.post("/api/v1/users", account);
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({ error: { code: "conflict", fields: { email: expect.any(String) } } });

    const weak = await client.post("/api/v1/users", { username: "weakling", email: "weak@example.com", password: "short" });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({
      error: { code: "invalid_request", message: expect.any(String), fields: { password: expect.any(String) } },
    });

    const notJson = await client.request("POST", "/api/v1/users", { headers: { "Content-Type": "application/json" }, form: undefined });
    expect(notJson.status).toBe(400);

    const wrong = await client.post("/api/v1/session", { email: account.email, password: "not the password" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("invalid_credentials");
  });

  it("authenticates scripts with a bearer token", async () => {
    const client = new Client(server.url);
    await client.post("/api/v1/session", { email: account.email, password: account.password });
    const res = await client.post("/api/v1/tokens", { name: "deploy bot" });
    expect(res.status).toBe(201);
    const { token } = await res.json();

    const bot = new Client(server.url);
    const me = await bot.get("/api/v1/me", { Authorization: `Bearer ${token}` });
    expect(me.status).toBe(200);
    expect((await me.json()).username).toBe(account.username);
    expect((await bot.get("/api/v1/me", { Authorization: "Bearer blt_forged" })).status).toBe(401);
    expect((await bot.post("/api/v1/tokens", { name: "x" })).status).toBe(401);
  });

  it("refuses a cross-origin POST with 403 but allows the same origin", async () => {
    const client = new Client(server.url);
    const evil = await client.post(
      "/api/v1/users",
      { username: "csrf_victim", email: "c@example.com", password: TEST_PASSWORD },
      { Origin: "https://evil.example" },
    );
    expect(evil.status).toBe(403);
    expect((await evil.json()).error.code).toBe("cross_site_request");
    const form = await client.request("POST", "/login", {
      form: { email: account.email, password: account.password },
      headers: { Origin: "https://evil.example" },
    });
    expect(form.status).toBe(403);
    const same = await client.request("POST", "/login", {
      form: { email: account.email, password: account.password },
      headers: { Origin: server.url },
    });
    expect(same.status).toBe(302);
    expect(client.hasCookie("__session")).toBe(true);
  });

  it("throttles repeated failed sign-ins with 429 and Retry-After", async () => {
    const client = new Client(server.url);
    await client.post("/api/v1/users", { username: "throttled", email: "throttled@example.com", password: TEST_PASSWORD });
    for (let i = 0; i < 5; i++) await client.post("/api/v1/session", { email: "throttled@example.com", password: "wrong wrong" });
    const res = await client.post("/api/v1/session", { email: "throttled@example.com", password: TEST_PASSWORD });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await res.json()).error.message).toMatch(/Try again in/);
  });

  it("answers unknown pages with a 404 page and unknown API paths with JSON", async () => {
    const client = new Client(server.url);
    const page = await client.get("/no/such/page");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Page not found");
    const api = await client.get("/api/v1/no-such-thing");
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/json");
    expect((await api.json()).error.code).toBe("not_found");
  });

  it("serves categories, robots.txt, the favicon and an OpenAPI document of every endpoint", async () => {
    const client = new Client(server.url);
    expect((await client.get("/api/v1/categories")).status).toBe(200);
    expect(await (await client.get("/robots.txt")).text()).toMatch(/Sitemap: .*sitemap\.xml/);
    expect((await client.get("/favicon.svg")).status).toBe(200);
    const doc = await (await client.get("/api/v1/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/users"].post.requestBody.content["application/json"].schema).toBeDefined();
    expect(doc.paths["/api/v1/session"].delete).toBeDefined();
    expect(doc.paths["/api/v1/tokens"].post.responses["201"]).toBeDefined();
    expect(doc.paths["/api/v1/categories"].get).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
  });
});

describe("missing content", () => {
  it("answers an unknown thread with a 404 page and a 404 JSON error", async () => {
    const client = new Client(server.url);
    const page = await client.get("/t/no-such-thread/whatever");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("Page not found");
    const api = await client.get("/api/v1/threads/no-such-thread");
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
  });
});
