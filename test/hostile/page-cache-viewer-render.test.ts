import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import type { Request as ExpressRequest } from "express";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { createApp } from "~/server/http";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { useTestDatabase } from "../helpers/database";

// Belt and braces for the page cache (issue 13 §1, docs/decisions/023): even
// when the check in front of the cache misses a credential entirely — here it
// is switched off, standing in for the next spelling nobody thought of — a
// render that looked up a signed-in member or an API token is not stored and
// not shared with visitors. The built app runs in this process so the front
// check can be replaced; everything behind it is the real thing.

vi.mock("~/server/page-cache", async (original) => {
  const real = await original<typeof import("~/server/page-cache")>();
  return {
    ...real,
    hasCredentials: () => false,
    isCacheable: (req: ExpressRequest) => (req.method === "GET" || req.method === "HEAD") && real.isPublicPath(req.path),
  };
});

useTestDatabase();
let app: Server | undefined;
let stopCache: (() => Promise<void>) | undefined;
let base: string;

beforeAll(async () => {
  resetEnvForTests();
  const root = path.resolve(__dirname, "../..");
  const build = createRequire(__filename)(path.join(root, "build/index.js")) as ServerBuild;
  const express = createApp(build, root, []);
  stopCache = () => express.locals.pageCache.stop();
  app = await new Promise<Server>((resolve) => {
    const s = express.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  // The cache serves nothing until it has read the content version once.
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${base}/latest?warm`)).headers.get("x-cache") === "BYPASS") {
    if (Date.now() > deadline) throw new Error("the page cache never read the content version");
  }
}, 60_000);
afterAll(async () => {
  await stopCache?.();
  await new Promise((r) => (app ? app.close(r) : r(null)));
});

async function member(username: string) {
  const client = new Client(base);
  expect((await client.post("/api/v1/users", { username, email: `${username}@example.com`, password: TEST_PASSWORD })).status).toBe(201);
  expect((await client.post("/api/v1/session", { email: `${username}@example.com`, password: TEST_PASSWORD })).status).toBe(200);
  return client;
}

describe("a render that found a viewer stays that viewer's", () => {
  it("serves a signed-in member their own page privately and visitors a page of their own", async () => {
    const mallory = await member("mallory_cache");
    // The member's request is sent first, but which render starts first is the server's business: when a
    // visitor's render is already running, she shares that one (a visitor's page, harmless). Rounds go on
    // until her own render has run three times; every round checks that no visitor ever gets it.
    let ownRenders = 0;
    for (let round = 0; ownRenders < 3; round++) {
      expect(round, "the member's own render never ran first").toBeLessThan(40);
      const url = `/latest?round=${round}`;
      // The member and two visitors at once: the visitors may wait on the member's render, and must not get it.
      const [theirs, ...visitors] = await Promise.all([mallory.get(url), fetch(base + url), fetch(base + url)]);
      expect(theirs.status).toBe(200);
      const html = await theirs.text();
      if (/private/.test(theirs.headers.get("cache-control") ?? "")) {
        expect(html).toContain("Account settings for mallory_cache");
        ownRenders += 1;
      } else {
        expect(html).not.toContain("mallory_cache");
      }
      for (const v of visitors) {
        expect(v.status).toBe(200);
        expect(await v.text()).not.toContain("mallory_cache");
      }
      const later = await fetch(base + url);
      expect(await later.text()).not.toContain("mallory_cache");
    }
  }, 60_000);

  it("does not store what an API token's owner was shown", async () => {
    const owner = await member("token_owner");
    const created = await owner.post("/api/v1/tokens", { name: "script" });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const url = "/api/v1/threads?token-probe=1";
    const theirs = await fetch(base + url, { headers: { Authorization: `Bearer ${token}` } });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get("cache-control")).toMatch(/private/);
    expect(theirs.headers.get("x-cache")).toBe("BYPASS");
    const visitor = await fetch(base + url);
    expect(visitor.status).toBe(200);
    // Rendered for the visitor, not the token owner's copy served again.
    expect(visitor.headers.get("x-cache")).toBe("MISS");
    expect(visitor.headers.get("cache-control")).toMatch(/public/);
  }, 60_000);
});
