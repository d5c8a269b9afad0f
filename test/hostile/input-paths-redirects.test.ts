import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, TEST_PASSWORD, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// Addresses built to escape: out of public/ (path traversal in every file and
// slug parameter), off the site (open redirects through redirectTo), or out of
// a header into the next one (CR/LF injection). Black-box against the built app.

let server: TestServer;
let thread: { id: string; slug: string };
let category: string;

beforeAll(async () => {
  server = await startServer({ seed: true });
  const list = await (await fetch(`${server.url}/api/v1/threads`)).json();
  thread = { id: list.threads[0].id, slug: list.threads[0].slug };
  category = (await (await fetch(`${server.url}/api/v1/categories`)).json())[0].slug;
});
afterAll(async () => {
  await server?.stop();
});

/** GET exactly this path, without the client normalising "..", as an attacker's script sends it. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method: "GET", headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

// What would show that a file outside public/ was served.
const LEAKED = /"name":\s*"backline"|root:x:0:0|SESSION_SECRET|generator client|module\.exports|\[extensions\]/;

describe("path traversal", () => {
  const climbs = [
    "../../package.json",
    "..%2f..%2fpackage.json",
    "%2e%2e/%2e%2e/package.json",
    "%2e%2e%2f%2e%2e%2fpackage.json",
    "..%5c..%5cpackage.json",
    "%5c..%5c..%5cpackage.json",
    "..\\..\\package.json",
    "%252e%252e/%252e%252e/package.json",
    "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..%2f..%2f.env",
    "..%2f..%2fprisma%2fschema.prisma",
    "..%2f..%2fbuild%2findex.js",
    ".%2e/.%2e/package.json",
    "..;/..;/package.json",
  ];
  // Every route that takes a file or slug parameter, plus the static folders.
  const prefixes = [
    "/",
    "/build/",
    "/c/",
    `/c/${category}/`,
    "/t/",
    `/t/THREAD/`,
    "/u/",
    "/tags/",
    "/api/v1/users/",
    "/api/v1/threads/",
    "/api/v1/categories/",
    "/api/v1/posts/",
    "/posts/",
    "/reset-password/",
    "/unsubscribe/",
    "/escalate/",
    "/tickets/",
  ];
  const suffixes = ["", "/feed.rss", "/feed.atom", "/edit"];

  it(`never serves a file outside public/ and never fails, for ${climbs.length * prefixes.length * suffixes.length} climbing addresses`, async () => {
    const seen = new Map<number, number>();
    for (const prefix of prefixes) {
      for (const climb of climbs) {
        for (const suffix of suffixes) {
          const path = prefix.replace("THREAD", thread.id) + climb + suffix;
          const res = await rawGet(path);
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          expect(res.status, path).toBeLessThan(500);
          expect(res.body, path).not.toMatch(LEAKED);
          // Refused, not found, or sent to sign in first: never a page or a file.
          expect([302, 400, 404], path).toContain(res.status);
          if (res.status === 302) expect(res.headers.location, path).toMatch(/^\/login\?redirectTo=/);
        }
      }
    }
    expect(seen.get(404)).toBeGreaterThan(0);
  });

  it("answers the classic probes with 404 and the files themselves are not published", async () => {
    for (const path of [
      "/build/../../package.json",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/c/..%2f..%2fpackage.json",
      "/t/1/..%2f..",
      "/u/..%2F",
      "/package.json",
      "/.env",
      "/.env.example",
      "/prisma/schema.prisma",
      "/build/index.js",
      "/app/env.server.ts",
    ]) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toMatch(LEAKED);
    }
    const api = await rawGet("/api/v1/users/..%2F..%2Fpackage.json");
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: "not_found" } });
  });

  it("still serves what public/ holds and every slug page", async () => {
    expect((await rawGet("/favicon.svg")).status).toBe(200);
    expect((await rawGet(`/c/${category}`)).status).toBe(200);
    expect((await rawGet(`/t/${thread.id}/${thread.slug}`)).status).toBe(200);
    expect((await rawGet(`/c/${category}/feed.rss`)).status).toBe(200);
    expect((await rawGet("/.well-known/no-such-file")).status).toBe(404);
  });

  it("answers null characters and broken %-escapes in any path or query with 400", async () => {
    const bad = [
      "/u/%00",
      "/c/%00",
      "/t/%00",
      `/t/${thread.id}/%00`,
      "/tags/%00",
      "/c/%00/feed.rss",
      "/t/%00/feed.atom",
      "/api/v1/users/%00",
      "/api/v1/threads/%00",
      "/api/v1/posts/%00/revisions",
      "/reset-password/%00",
      "/unsubscribe/%00",
      "/search?q=%00",
      "/api/v1/search?q=a&category=%00",
      "/api/v1/threads?tag=%00",
      "/latest?tag=x%00",
      "/tags?q=%00",
      "/%",
      "/c/%E0%A4%A",
      "/u/%ZZ",
      "/api/v1/users/%E0%A4%A",
    ];
    for (const path of bad) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toMatch(/null character|broken %-escape/);
    }
    // Invalid UTF-8 in a query is read as replacement characters, never a failure.
    for (const path of ["/search?q=%ff%fe", "/api/v1/search?q=%c3%28", "/api/v1/threads?category=%ff", "/tags?q=%ed%a0%80"]) {
      const res = await rawGet(path);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});

describe("open redirects", () => {
  const escapes = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "http:evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "/..//evil.example",
    "/%2e%2e//evil.example",
    "/./../..//evil.example",
    "evil.example",
    "@evil.example",
    "//evil.example/%2F..",
    "/x\r\nSet-Cookie: hijacked=1",
    "/x\r\nLocation: https://evil.example",
  ];
  let account = 0;
  async function member() {
    account += 1;
    const client = new Client(server.url);
    const creds = { username: `redirected_${account}`, email: `redirected${account}@example.com`, password: TEST_PASSWORD };
    expect((await client.post("/api/v1/users", creds)).status).toBe(201);
    return { client, creds };
  }

  it(`sends sign-in back to a local page for each of ${escapes.length} escapes, and keeps a real local path`, async () => {
    const { creds } = await member();
    for (const to of [...escapes, "/t/abc/some-thread?page=2#post-3"]) {
      const client = new Client(server.url);
      const res = await client.request("POST", "/login", {
        form: { email: creds.email, password: creds.password, redirectTo: to },
        headers: { Origin: server.url },
      });
      expect(res.status, JSON.stringify(to)).toBe(302);
      const location = res.headers.get("location")!;
      expect(location, JSON.stringify(to)).toMatch(/^\/(?![/\\])/);
      expect(new URL(location, "https://backline.test").origin, JSON.stringify(to)).toBe("https://backline.test");
      expect(res.headers.get("set-cookie") ?? "", JSON.stringify(to)).not.toMatch(/hijacked/);
      if (!to.startsWith("/t/")) expect(location, JSON.stringify(to)).toBe("/");
      else expect(location).toBe("/t/abc/some-thread?page=2#post-3");
    }
  });

  it("does the same after joining", async () => {
    // Sign-ups are limited to ten per address and hour: the sharpest eight.
    const sharpest = [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example",
      "/%2F%2Fevil.example",
      "/\t/evil.example",
      "/..//evil.example",
      "javascript:alert(document.cookie)",
      "/x\r\nSet-Cookie: hijacked=1",
    ];
    for (const [i, to] of sharpest.entries()) {
      const res = await new Client(server.url).request("POST", "/join", {
        form: { username: `joiner_${i}`, email: `joiner${i}@example.com`, password: TEST_PASSWORD, redirectTo: to },
        headers: { Origin: server.url },
      });
      expect(res.status, JSON.stringify(to)).toBe(302);
      expect(res.headers.get("location"), JSON.stringify(to)).toBe("/");
      expect(res.headers.get("set-cookie"), JSON.stringify(to)).toMatch(/^__session=/);
    }
  });

  it("sends the moderation forms back to a local page only", async () => {
    for (const to of escapes) {
      const res = await new Client(server.url).request("POST", "/mod/actions", {
        form: { intent: "hide-post", id: "x", redirectTo: to },
        headers: { Origin: server.url },
      });
      expect(res.status, JSON.stringify(to)).toBe(302);
      // Signed out: to sign-in first, carrying a local return path only.
      const location = res.headers.get("location")!;
      expect(location).toMatch(/^\/login\?redirectTo=/);
      expect(new URL(location, "https://backline.test").searchParams.get("redirectTo"), JSON.stringify(to)).toBe("/mod");
    }
  });
});

describe("header injection", () => {
  it("keeps CR/LF in any address out of the headers of the answer", async () => {
    const crlf = "%0d%0aSet-Cookie:%20hijacked=1%0d%0aX-Injected:%20yes";
    const paths = [
      `/t/${thread.id}/wrong-slug?x=${crlf}`,
      `/t/${thread.id}?page=2${crlf}`,
      `/c/${category}/feed.rss?${crlf}`,
      `/c/${category}/feed.atom?x=${crlf}`,
      `/t/${thread.id}/feed.rss?${crlf}`,
      `/desk/numbers.csv?name=${crlf}`,
      `/escalate/${thread.id}?x=${crlf}`,
      `/tickets?x=${crlf}`,
      `/login?redirectTo=${crlf}`,
      `/latest.rss?${crlf}`,
      `/sitemap.xml?${crlf}`,
      `/settings?x=${crlf}`,
    ];
    for (const path of paths) {
      const res = await rawGet(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers["x-injected"], path).toBeUndefined();
      expect(JSON.stringify(res.headers["set-cookie"] ?? []), path).not.toMatch(/hijacked/);
      if (res.headers.location) expect(res.headers.location, path).not.toMatch(/[\r\n]/);
    }
    const feed = await rawGet(`/c/${category}/feed.rss?type=${crlf}`);
    expect(feed.headers["content-type"]).toMatch(/^application\/rss\+xml/);
  });

  it("gives the desk CSV a fixed file name, whatever the address", async () => {
    const maintainer = await signIn(server, "maintainer@backline.local");
    const res = await maintainer.get(`/desk/numbers.csv?filename=${encodeURIComponent('evil.csv"\r\nX-Injected: yes')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="desk-numbers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get("x-injected")).toBeNull();
  });
});

describe("hostile query values on every page", () => {
  // A sample that stays quick in `npm test`; a one-off run of 21,384 (27 parameters × 24 values × 33 pages) found no 5xx either.
  const values = ["'", "\\", "%", "' OR 1=1 --", '" OR categorySlug = "x', "-1", "99999999999999999999", "[]", "\u202e", "x".repeat(3000)];
  const raw = ["%ff", "%c3%28", "a%0d%0ab"];
  const params = ["q", "category", "tag", "author", "solved", "sort", "page", "cursor", "state", "from"];
  const pages = [
    "/",
    "/latest",
    "/top",
    "/unanswered",
    "/search",
    "/tags",
    "/api/v1/threads",
    "/api/v1/search",
    "/api/v1/similar",
    "/api/v1/categories",
    "/api/v1/tickets",
    "/api/v1/desk/queue",
    "/api/v1/audit",
    "/api/v1/flags",
    "/api/v1/notifications",
    "/mod",
    "/mod/audit",
    "/desk",
    "/desk/numbers",
    "/desk/numbers.csv",
    "/notifications",
    "/tickets",
    "/insurance",
    "/admin",
    "/latest.rss",
    "/sitemap.xml",
    "/settings",
    "/new",
  ];
  const total = pages.length * params.length * (values.length + raw.length);

  it(`answers all ${total} of them, signed in as an admin who can see every page, without a 5xx`, { timeout: 300_000 }, async () => {
    const admin = await signIn(server, "admin@backline.local");
    const failures: string[] = [];
    for (const page of pages) {
      for (const param of params) {
        const queries = [...values.map((v) => `${param}=${encodeURIComponent(v)}`), ...raw.map((v) => `${param}=${v}`)];
        await Promise.all(
          queries.map(async (q) => {
            const res = await admin.get(`${page}?${q}`);
            if (res.status >= 500) failures.push(`${res.status} ${page}?${q.slice(0, 60)}`);
            await res.arrayBuffer();
          }),
        );
      }
    }
    expect(failures).toEqual([]);
    expect(server.output()).not.toMatch(/error|exception/i);
  });
});
