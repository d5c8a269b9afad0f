import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "~/server/http";
import { newNonce, nonceStream } from "~/server/security-headers";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { expectLockedDownHtml, nonceOfPolicy, parsePolicy, TEST_PLACEHOLDER } from "./policy";

// Every HTML answer the forum gives carries a Content-Security-Policy whose
// script nonce is fresh per response — also when the page comes from the
// anonymous page cache, which renders once and serves many visitors.

let server: TestServer;
let thread: { url: string };
beforeAll(async () => {
  server = await startServer({ seed: true });
  const list = await (await fetch(`${server.url}/api/v1/threads`)).json();
  thread = list.threads[0];
});
afterAll(async () => {
  await server?.stop();
});

async function page(client: Client, path: string) {
  const res = await client.get(path);
  return { res, body: await res.text() };
}

describe("security headers on every HTML page", () => {
  it("gives an anonymous visitor a nonce policy on every public page, error pages included", async () => {
    const visitor = new Client(server.url);
    const pages: [string, number][] = [
      ["/", 200],
      ["/latest", 200],
      ["/top", 200],
      ["/unanswered", 200],
      ["/tags", 200],
      ["/c/pro", 200],
      [thread.url, 200],
      ["/u/ada", 200],
      ["/search?q=webhook", 200],
      ["/login", 200],
      ["/join", 200],
      ["/forgot-password", 200],
      ["/no-such-page", 404],
      ["/t/no-such-thread", 404],
      ["/c/no-such-category", 404],
      ["/latest?cursor=not-a-cursor", 400],
    ];
    const nonces = new Set<string>();
    for (const [path, status] of pages) {
      const { res, body } = await page(visitor, path);
      expect(res.status, path).toBe(status);
      nonces.add(expectLockedDownHtml(res, body, path));
    }
    expect(nonces.size, "a fresh nonce for every response").toBe(pages.length);
  });

  it("gives signed-in members, moderators, maintainers and admins the same policy on their pages", async () => {
    const visits: [string, string[]][] = [
      ["member@backline.local", ["/", thread.url, "/new", "/settings", "/notifications", "/tickets", "/desk"]],
      ["moderator@backline.local", ["/mod", "/mod/audit"]],
      ["maintainer@backline.local", ["/desk", "/desk/numbers"]],
      ["admin@backline.local", ["/admin", "/admin/categories", "/admin/tiers"]],
    ];
    for (const [email, paths] of visits) {
      const client = await signIn(server, email);
      for (const path of paths) {
        const { res, body } = await page(client, path);
        // A member at the desk gets the refusal page, which must be locked down too.
        expect([200, 403, 404], `${email} ${path}`).toContain(res.status);
        expectLockedDownHtml(res, body, `${email} ${path}`);
        if (path === thread.url) {
          // A member's thread page is the shared page plus their own state, sent to them alone (ADR 042).
          expect(res.headers.get("cache-control"), path).toBe("private, no-store");
        } else {
          // Other pages for one person are never served from or stored in the shared cache.
          expect(res.headers.get("x-cache"), path).toBeNull();
        }
      }
    }
  });

  it("never hands two visitors of a cached page the same nonce, and keeps ETag and Content-Length right", async () => {
    // The plain copy, whose length is the page's; the gzip copy's is checked in test/http/compression.test.ts.
    const visit = async () => {
      const res = await new Client(server.url).get(thread.url, { "Accept-Encoding": "identity" });
      return { res, body: await res.text() };
    };
    const first = await visit();
    const second = await visit();
    const third = await visit();
    expect(second.res.headers.get("x-cache")).toBe("HIT");
    expect(third.res.headers.get("x-cache")).toBe("HIT");

    const nonces = [first, second, third].map(({ res, body }, i) => {
      const nonce = expectLockedDownHtml(res, body, `cached visit ${i + 1}`);
      expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));
      return nonce;
    });
    expect(new Set(nonces).size).toBe(3);
    // The same page otherwise, byte for byte, under one ETag computed from the shared render.
    const normalised = [first, second, third].map(({ body }, i) => body.replaceAll(nonces[i]!, "NONCE"));
    expect(normalised[1]).toBe(normalised[0]);
    expect(normalised[2]).toBe(normalised[0]);
    const etag = first.res.headers.get("etag");
    expect(etag).toMatch(/^"/);
    expect(second.res.headers.get("etag")).toBe(etag);

    const head = await fetch(server.url + thread.url, { method: "HEAD", headers: { "Accept-Encoding": "identity" } });
    expect(head.headers.get("content-length")).toBe(first.res.headers.get("content-length"));
    nonceOfPolicy(parsePolicy(head.headers.get("content-security-policy")));
  });

  it("draws every nonce from fresh random bytes: 128 bits each, none repeated across refills of the pool", () => {
    const nonces = Array.from({ length: 1000 }, () => newNonce());
    for (const n of nonces) expect(Buffer.from(n, "base64url")).toHaveLength(16);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it("answers a revalidation (304) without a new policy, so the browser keeps the one matching its stored copy", async () => {
    const { res } = await page(new Client(server.url), "/latest");
    const etag = res.headers.get("etag")!;
    const revalidated = await fetch(server.url + "/latest", { headers: { "If-None-Match": etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("content-security-policy")).toBeNull();
    expect(revalidated.headers.get("x-content-type-options")).toBe("nosniff");
    expect(revalidated.headers.get("x-frame-options")).toBe("DENY");
  });

  it("gives 30 visitors who arrive at once at an uncached page 30 different nonces from one shared render", async () => {
    const path = "/c/community";
    const visits = await Promise.all(Array.from({ length: 30 }, () => fetch(server.url + path)));
    const nonces = await Promise.all(
      visits.map(async (res, i) => {
        expect(res.status).toBe(200);
        return expectLockedDownHtml(res, await res.text(), `visitor ${i + 1}`);
      }),
    );
    expect(new Set(nonces).size).toBe(30);
    expect(visits.filter((r) => r.headers.get("x-cache") === "HIT").length).toBeGreaterThan(0);
  });

  it("sends the non-policy headers with API answers and files too", async () => {
    const answers = [
      await fetch(`${server.url}/api/v1/threads`),
      await fetch(`${server.url}/api/v1/me`),
      await fetch(`${server.url}/api/v1/openapi.json`),
      await fetch(`${server.url}/favicon.svg`),
      await fetch(`${server.url}/latest.rss`),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 200, 200, 200]);
    for (const res of answers) {
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), res.url).toBe("DENY");
      expect(res.headers.get("referrer-policy"), res.url).toBe("strict-origin-when-cross-origin");
      expect(parsePolicy(res.headers.get("content-security-policy"))["frame-ancestors"], res.url).toEqual(["'none'"]);
    }
  });

  it("does not pin HTTPS (HSTS) on a site served over plain HTTP", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
});

describe("the 500 page", () => {
  // The built app in this process with the front page's loader sabotaged: the
  // only honest way to get a real unexpected error through the real pipeline.
  let app: Server;
  let stopCache: () => Promise<void>;
  let base: string;
  beforeAll(async () => {
    const root = path.resolve(__dirname, "../..");
    const real = createRequire(__filename)(path.join(root, "build/index.js")) as ServerBuild;
    const index = real.routes["routes/_index"]!;
    const broken: ServerBuild = {
      ...real,
      routes: {
        ...real.routes,
        "routes/_index": {
          ...index,
          module: {
            ...index.module,
            loader: () => {
              throw new Error("the database fell over");
            },
          },
        },
      },
    };
    const express = createApp(broken, root, []);
    app = await new Promise<Server>((resolve) => {
      const s = express.listen(0, "127.0.0.1", () => resolve(s));
    });
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    stopCache = () => express.locals.pageCache.stop();
  });
  afterAll(async () => {
    await stopCache?.();
    await new Promise((r) => app?.close(r));
  });

  it("carries the nonce policy for anonymous visitors (page-cache path) and signed-in ones (direct render)", async () => {
    for (const cookie of [undefined, "__session=someone"]) {
      const res = await fetch(`${base}/`, { headers: cookie ? { Cookie: cookie } : {} });
      const body = await res.text();
      expect(res.status).toBe(500);
      expect(body).toContain("Something went wrong on our side");
      expect(body).not.toContain("the database fell over");
      expectLockedDownHtml(res, body, cookie ? "500 with a cookie" : "anonymous 500");
    }
  });
});

describe("swapping the placeholder for the nonce in a streamed page", () => {
  it("finds the placeholder wherever the chunks split it", async () => {
    const nonce = "N".repeat(TEST_PLACEHOLDER.length);
    const page = `<script nonce="${TEST_PLACEHOLDER}">a</script><script nonce="${TEST_PLACEHOLDER}">b</script>${TEST_PLACEHOLDER.slice(0, 5)}`;
    const expected = page.replaceAll(TEST_PLACEHOLDER, nonce);
    for (let split = 0; split <= page.length; split++) {
      for (const size of [1, 7, page.length]) {
        const chunks = [page.slice(0, split), ...(page.slice(split).match(new RegExp(`[^]{1,${size}}`, "g")) ?? [])].map((c) =>
          Buffer.from(c),
        );
        let out = "";
        for await (const chunk of Readable.from(chunks).pipe(nonceStream(TEST_PLACEHOLDER, nonce))) out += chunk;
        expect(out).toBe(expected);
      }
    }
  });
});
