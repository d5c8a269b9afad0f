import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, TEST_PASSWORD, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { makeCategory, makeUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";

// Hostile world, page cache (issue 13 §1): a member sends their own session
// cookie spelled so the cache in front of rendering did not recognise it
// (`__session =…`), and the page rendered for them was kept as every
// visitor's copy: "Account settings for …" on /latest for everyone, and a
// thread a moderator had hidden back in front of every visitor. Every spelling
// the session itself accepts must skip the cache, and the Host header must not
// pick the cache key or the origin of what is stored.

const database = useTestDatabase();
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ databaseUrl: database.url });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** The value of a signed-in client's session cookie. */
function sessionOf(client: Client) {
  const header = client.cookieHeader();
  return header.slice(header.indexOf("__session=") + "__session=".length).split(";")[0]!;
}

type Raw = { status: number; headers: Record<string, string>; body: string };

/** One HTTP/1.1 request written byte for byte: repeated headers, odd spacing, any Host, whatever a client can send. */
function raw(path: string, headerLines: string[], host?: string): Promise<Raw> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks);
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.subarray(0, split).toString("utf8").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let body: Buffer = text.subarray(split + 4);
      if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: body.toString("utf8") });
    });
    socket.write(
      [`GET ${path} HTTP/1.1`, `Host: ${host ?? `${hostname}:${port}`}`, "Connection: close", ...headerLines, "", ""].join("\r\n"),
    );
  });
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf("\r\n", at);
    const size = parseInt(data.subarray(at, eol).toString("latin1"), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** Every way of writing the session cookie that a member might try; `v` is its value. */
const SPELLINGS: [string, (v: string) => string[]][] = [
  ["a space before =", (v) => [`Cookie: __session =${v}`]],
  ["spaces around =", (v) => [`Cookie: __session = ${v}`]],
  ["a tab before the name", (v) => [`Cookie: \t__session=${v}`]],
  ["a leading space", (v) => [`Cookie:  __session=${v}`]],
  ["a quoted value", (v) => [`Cookie: __session="${v}"`]],
  ["no space after ;", (v) => [`Cookie: theme=dark;__session=${v}`]],
  ["an empty pair first", (v) => [`Cookie: ;;__session=${v}`]],
  ["a stray = pair first", (v) => [`Cookie: =x; __session=${v}`]],
  ["a second Cookie header", (v) => ["Cookie: theme=dark", `Cookie: __session=${v}`]],
  ["a second Cookie header with a space before =", (v) => ["Cookie: theme=dark", `Cookie: __session =${v}`]],
  ["the plain spelling", (v) => [`Cookie: __session=${v}`]],
];

describe("a member's own page never becomes the visitors' copy", () => {
  it("skips the cache for every spelling of the session cookie that signs the member in", async () => {
    const member = await makeUser();
    const value = sessionOf(await signIn(server, member, TEST_PASSWORD));
    const paths = ["/latest", "/", "/search?q=logs", "/api/v1/threads"];
    let probe = 0;
    for (const [name, spell] of SPELLINGS) {
      // The spelling really signs the member in (it is a hole only if it does).
      const me = await raw("/api/v1/me", spell(value));
      expect(me.status, name).toBe(200);
      expect(JSON.parse(me.body).username, name).toBe(member.username);

      for (const p of paths) {
        // A path of its own for every try, so no earlier entry stands in the way.
        const url = `${p}${p.includes("?") ? "&" : "?"}probe=${probe++}`;
        const theirs = await raw(url, spell(value));
        expect(theirs.status, `${name} ${url}`).toBe(200);
        expect(theirs.headers["cache-control"], `${name} ${url}`).toMatch(/private/);
        expect(theirs.headers["x-cache"], `${name} ${url}`).not.toBe("MISS");
        if (!p.startsWith("/api/")) expect(theirs.body, `${name} ${url}`).toContain(`Account settings for ${member.username}`);

        const visitor = await fetch(server.url + url);
        expect(visitor.status, `${name} ${url}`).toBe(200);
        expect(visitor.headers.get("x-cache"), `${name} ${url}: the visitor got the member's render`).toBe("MISS");
        const body = await visitor.text();
        expect(body, `${name} ${url}`).not.toContain("Account settings for");
        expect(body, `${name} ${url}`).not.toContain(member.username);
      }
    }
  }, 120_000);

  it("does not bring a thread a moderator hid back in front of visitors", async () => {
    const category = await makeCategory();
    const author = await makeUser();
    const moderator = await makeUser({ role: "moderator" });
    const authorClient = await signIn(server, author, TEST_PASSWORD);
    const value = sessionOf(authorClient);
    const created = await authorClient.post("/api/v1/threads", {
      category: category.slug,
      title: "Buy cheap watches at my shop",
      body: "Visit my shop for cheap watches, every brand.",
    });
    expect(created.status).toBe(201);
    const thread = (await created.json()) as { id: string; url: string };
    const threadPath = new URL(thread.url, server.url).pathname;
    const modClient = await signIn(server, moderator, TEST_PASSWORD);
    expect((await modClient.post(`/api/v1/threads/${thread.id}/hide`, { reason: "Spam" })).status).toBe(200);

    for (const [name, spell] of SPELLINGS) {
      for (const p of [threadPath, `/api/v1/threads/${thread.id}`, `/c/${category.slug}`, "/latest"]) {
        // The author still sees their own hidden thread, and asks for it with an odd cookie.
        const theirs = await raw(p, spell(value));
        expect(theirs.status, `${name} ${p}`).toBe(200);
        const visitor = await fetch(server.url + p);
        const body = await visitor.text();
        if (p === threadPath || p.startsWith("/api/")) expect(visitor.status, `${name} ${p}`).toBe(404);
        expect(body, `${name} ${p}`).not.toContain("Buy cheap watches");
      }
    }
  }, 120_000);
});

describe("the Host header does not choose what visitors are served", () => {
  it("keys and renders cached pages on the configured origin, whatever Host or X-Forwarded-Host say", async () => {
    const path = "/latest.rss?host-probe=1";
    // Both spellings of a foreign host share the one entry for the page. A background index write can move the
    // content version between the two requests (a MISS that proves nothing), so the pair is tried again then.
    let second: Raw | undefined;
    for (let attempt = 0; attempt < 5 && second?.headers["x-cache"] !== "HIT"; attempt++) {
      const first = await raw(path, ["X-Forwarded-Host: attacker.example"], "attacker.example");
      expect(first.status).toBe(200);
      expect(first.body).not.toContain("attacker.example");
      second = await raw(path, [], "other.example:8080");
      expect(second.status).toBe(200);
      expect(second.body).not.toContain("other.example");
    }
    expect(second!.headers["x-cache"]).toBe("HIT");
    const visitor = await (await fetch(server.url + path)).text();
    expect(visitor).not.toMatch(/attacker\.example|other\.example/);
  }, 60_000);
});
