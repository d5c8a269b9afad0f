import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { STRIPE_TEST_ENV } from "../helpers/support-world";
import { signedHeader, startFakeStripe, type FakeStripe } from "../mocks/stripe";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// Hostile request bodies against the built server (app/server/body-limit.ts):
// too large (declared or streamed), nested without end, not UTF-8, carrying
// null characters. Each gets a 4xx a person can act on, and the server keeps
// serving everyone else.

const MB = 1024 * 1024;
const DEMO = { email: "member@backline.local", password: DEMO_PASSWORD };

let server: TestServer;
let stripe: FakeStripe;
let member: Client;
let category: string;

beforeAll(async () => {
  stripe = await startFakeStripe();
  server = await startServer({ seed: true, env: { ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url } });
  member = new Client(server.url);
  expect((await member.post("/api/v1/session", DEMO)).status).toBe(200);
  category = (await (await member.get("/api/v1/categories")).json())[0].slug;
});
afterAll(async () => {
  await server?.stop();
  await stripe?.stop();
});

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: string; sent: number };

/**
 * A POST written piece by piece, as an attacker's script would: with a
 * Content-Length, or chunked without one. Resolves with the server's answer even
 * when it arrives (and the connection closes) before the body is finished.
 */
function rawPost(path: string, opts: { type: string; size: number; chunked: boolean; cookie?: string }): Promise<Raw> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { "Content-Type": opts.type };
    if (!opts.chunked) headers["Content-Length"] = opts.size;
    if (opts.cookie) headers.Cookie = opts.cookie;
    const req = http.request(url, { method: "POST", headers, agent: false });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, sent }));
      res.on("error", reject);
    });
    let sent = 0;
    // Cut off mid-upload: status 0 says the server closed the connection on us.
    req.on("error", (error: NodeJS.ErrnoException) =>
      ["EPIPE", "ECONNRESET"].includes(error.code ?? "") ? resolve({ status: 0, headers: {}, body: "", sent }) : reject(error),
    );
    const piece = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (sent < opts.size) {
        const n = Math.min(piece.length, opts.size - sent);
        sent += n;
        if (!req.write(piece.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const stillServing = async () => {
  const res = await fetch(`${server.url}/api/v1/categories`);
  expect(res.status).toBe(200);
  expect(Array.isArray(await res.json())).toBe(true);
};

describe("oversized bodies", () => {
  const cases = [
    { where: "the JSON API", path: "/api/v1/threads", type: "application/json", json: true },
    { where: "a browser form", path: "/login", type: "application/x-www-form-urlencoded", json: false },
    { where: "the Stripe webhook", path: "/webhooks/stripe", type: "application/json", json: true },
  ];
  for (const c of cases) {
    for (const chunked of [false, true]) {
      it(`refuses 5 MB sent to ${c.where} ${chunked ? "chunked, without a Content-Length" : "with a Content-Length"} with 413, and keeps serving`, async () => {
        const res = await rawPost(c.path, { type: c.type, size: 5 * MB, chunked, cookie: member.cookieHeader() });
        expect(res.status).toBe(413);
        const message = c.json ? JSON.parse(res.body).error.message : res.body;
        if (c.json) expect(JSON.parse(res.body).error.code).toBe("payload_too_large");
        else expect(res.headers["content-type"]).toMatch(/^text\/plain/);
        expect(message).toMatch(/larger than the limit of 1 MB/);
        await stillServing();
      });
    }
  }

  it("answers a declared 1 GB upload at once, before a byte of it is sent", async () => {
    const url = new URL("/api/v1/users", server.url);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, {
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/json", "Content-Length": 1024 * MB },
      });
      req.on("response", resolve);
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe("close");
    res.destroy();
    await stillServing();
  });

  it("cuts off an endless chunked upload instead of reading it all", async () => {
    const res = await rawPost("/api/v1/threads", { type: "application/json", size: 256 * MB, chunked: true });
    expect([0, 413]).toContain(res.status);
    expect(res.sent).toBeLessThan(256 * MB);
    await stillServing();
  });

  it("keeps serving a crowd of normal requests while oversized uploads are refused", async () => {
    const uploads = Array.from({ length: 6 }, (_, i) =>
      rawPost("/api/v1/threads", { type: "application/json", size: 3 * MB, chunked: i % 2 === 0 }),
    );
    const reads = Array.from({ length: 30 }, () => fetch(`${server.url}/api/v1/threads`).then((r) => r.status));
    expect((await Promise.all(uploads)).map((r) => r.status)).toEqual(Array(6).fill(413));
    expect(await Promise.all(reads)).toEqual(Array(30).fill(200));
  });

  it("passes a signed Stripe event just under the limit byte for byte (its signature still verifies)", async () => {
    const payload = JSON.stringify({
      id: "evt_padded",
      object: "event",
      type: "customer.created",
      api_version: "2024-06-20",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "cus_1", object: "customer", description: "é".repeat(400_000) } },
    });
    expect(Buffer.byteLength(payload)).toBeGreaterThan(0.75 * MB);
    expect(Buffer.byteLength(payload)).toBeLessThan(MB);
    const res = await fetch(`${server.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": signedHeader(payload, STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET) },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true });
  });

  it("accepts a post of the longest allowed length in multi-byte characters, as a form and as JSON", async () => {
    // 50,000 characters of "漢" are 150 KB of UTF-8 and 450 KB percent-encoded: well inside the limit.
    const body = "漢".repeat(50_000);
    const api = await member.post("/api/v1/threads", { category, title: "The longest question we allow", body });
    expect(api.status).toBe(201);
    const form = await member.request("POST", "/new", { form: { category, title: "The longest question, from the form", body } });
    expect(form.status).toBe(302);
  });
});

describe("bodies that are not what they claim", () => {
  it("answers 100,000 levels of nested JSON with 400, not a crash", async () => {
    for (const deep of ["[".repeat(100_000) + "]".repeat(100_000), '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000)]) {
      const res = await fetch(`${server.url}/api/v1/threads`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Cookie: member.cookieHeader() },
        body: deep,
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_request");
    }
    await stillServing();
  });

  it("refuses invalid UTF-8 in JSON and in forms with 400 instead of storing replacement characters", async () => {
    const bad = Buffer.concat([
      Buffer.from('{"category":"x","title":"Broken '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(' bytes here","body":"0123456789 ok"}'),
    ]);
    const json = await fetch(`${server.url}/api/v1/threads`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: member.cookieHeader() },
      body: bad,
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: { code: "invalid_encoding", message: expect.stringMatching(/not valid UTF-8/) } });

    const form = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: Buffer.concat([Buffer.from("email=a"), Buffer.from([0xc0, 0xaf]), Buffer.from("@example.com&password=x")]),
    });
    expect(form.status).toBe(400);
    expect(await form.text()).toMatch(/not valid UTF-8/);
  });

  it("refuses null characters in JSON, form and multipart bodies with 400, and keeps the literal text \\u0000", async () => {
    const before = await newestTitles();
    const attempts: [string, RequestInit][] = [
      [
        "/api/v1/threads",
        {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ category, title: "Null\u0000 in the title", body: "A perfectly fine body." }),
        },
      ],
      [
        "/api/v1/threads",
        {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ category, title: "Null in the body", body: "Body with \u0000 inside it" }),
        },
      ],
      [
        "/api/v1/threads",
        {
          headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({ category, title: "Sent as text/plain", body: "Still \u0000 JSON" }),
        },
      ],
      [
        "/api/v1/users",
        {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: "nul\u0000l", email: "n@example.com", password: TEST_PASSWORD }),
        },
      ],
      [
        "/api/v1/session",
        {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ email: "x\u0000@example.com", password: "whatever it is" }),
        },
      ],
      [
        "/new",
        {
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: `category=${category}&title=Null%00title+here&body=0123456789+body`,
        },
      ],
      ["/login", { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "email=a%00b%40example.com&password=x" }],
      ["/new", { body: multipart({ category, title: "Multipart\u0000 title", body: "0123456789 body" }) }],
      ["/api/v1/threads", { headers: { "Content-Type": "application/json" }, body: Buffer.from([0x7b, 0x00, 0x7d]) }],
    ];
    for (const [path, init] of attempts) {
      const res = await fetch(server.url + path, { method: "POST", ...init, headers: { ...init.headers, Cookie: member.cookieHeader() } });
      expect(res.status, `${path} ${String(init.body).slice(0, 40)}`).toBe(400);
      expect(await res.text()).toMatch(/null character \(U\+0000\)/);
    }
    expect(await newestTitles()).toEqual(before);

    // An escaped backslash followed by "u0000" is the text \u0000, fair content for a question about C strings.
    const literal = await member.post("/api/v1/threads", {
      category,
      title: "Why does \\u0000 end my string?",
      body: 'printf("a\\u0000b") prints only a',
    });
    expect(literal.status).toBe(201);
    const thread = await (await member.get(`/api/v1/threads/${(await literal.json()).id}`)).json();
    expect(thread.title).toBe("Why does \\u0000 end my string?");
  });
});

function multipart(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

/** Titles of the newest threads: a thread created by a refused request would be first. */
async function newestTitles() {
  const res = await member.get("/api/v1/threads?sort=latest");
  return ((await res.json()).threads as { title: string }[]).map((t) => t.title);
}

describe("afterwards", () => {
  it("logged no error for any of it", () => {
    expect(server.output()).not.toMatch(/error|exception|unhandled/i);
  });
});
