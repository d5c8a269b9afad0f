import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseUnavailable, isDatabaseUnavailable } from "~/services/database-unavailable.server";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy";

// PostgreSQL restarts while members use the forum. A TCP proxy sits between
// the built app and the server; mid-traffic it drops every connection and
// refuses new ones for a few seconds, then lets them through again. Requests
// during the outage must get a clean 503 with a message (never a 500, never a
// hang), and the same process must serve again afterwards, without a restart.
// Embedded PGlite lives inside the app process and cannot restart on its own,
// so this runs against a PostgreSQL server only.

const postgres = process.env.TEST_DB_KIND === "postgres";
const OUTAGE_MS = 4_000;
const REQUEST_TIMEOUT_MS = 20_000;
const DATABASE_MESSAGE = "The forum cannot reach its database right now. Nothing was lost; try again in a few seconds.";

type Outcome = {
  what: string;
  status: number | "hang" | "network";
  at: number;
  ms: number;
  body: string;
  contentType: string;
  retryAfter: string | null;
};

describe.skipIf(!postgres)("PostgreSQL restarts under load (PostgreSQL only: run with --project postgres and TEST_DATABASE_URL)", () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let member: Client;
  let threadId: string;
  let threadUrl: string;

  beforeAll(async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    server = await startServer({
      seed: true,
      routeDatabase: (url) => {
        const u = new URL(url);
        u.hostname = "127.0.0.1";
        u.port = String(proxy.port);
        return u.toString();
      },
    });
    member = await signIn(server, "member@backline.local");
    const created = await member.post("/api/v1/threads", {
      category: "community",
      title: "Replies written while the database restarts",
      body: "Every reply that was acknowledged must still be here afterwards.",
    });
    expect(created.status).toBe(201);
    ({ id: threadId, url: threadUrl } = await created.json());
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  it("answers 503 with a message during the outage and serves again afterwards, in the same process", { timeout: 120_000 }, async () => {
    const pid = server.pid;
    const started = Date.now();
    const outcomes: Outcome[] = [];
    const acknowledged: string[] = [];
    let stop = false;
    let seq = 0;

    const send = async (what: string, run: (signal: AbortSignal) => Promise<Response>) => {
      const at = Date.now() - started;
      try {
        const res = await run(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
        const body = await res.text();
        outcomes.push({
          what,
          status: res.status,
          at,
          ms: Date.now() - started - at,
          body,
          contentType: res.headers.get("content-type") ?? "",
          retryAfter: res.headers.get("retry-after"),
        });
        return { status: res.status, body };
      } catch (error) {
        const status = (error as Error).name === "TimeoutError" ? "hang" : "network";
        outcomes.push({ what, status, at, ms: Date.now() - started - at, body: String(error), contentType: "", retryAfter: null });
        return { status, body: "" };
      }
    };
    // Anonymous readers (unique query strings skip the page cache), a signed-in reader and a replier.
    const workers = [
      async () =>
        send("thread list API", (signal) => fetch(`${server.url}/api/v1/threads?category=community&page=${(seq++ % 3) + 1}`, { signal })),
      async () => send("thread API", (signal) => fetch(`${server.url}/api/v1/threads/${threadId}?page=1&r=${seq++}`, { signal })),
      async () => send("home page", (signal) => fetch(`${server.url}/?r=${seq++}`, { signal })),
      async () => send("thread page (signed in)", () => member.get(threadUrl)),
      async () => {
        const body = `Reply ${seq++} written during the restart test.`;
        const res = await send("reply", () => member.post(`/api/v1/threads/${threadId}/posts`, { body }));
        if (res.status === 201) acknowledged.push(body);
      },
    ];
    const loops = workers.flatMap((work) =>
      [0, 1].map(async () => {
        while (!stop) {
          await work();
          await new Promise((r) => setTimeout(r, 50));
        }
      }),
    );

    await new Promise((r) => setTimeout(r, 2_000));
    const cutAt = Date.now() - started;
    proxy.cut();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const restoredAt = Date.now() - started;
    await proxy.restore();
    await new Promise((r) => setTimeout(r, 5_000));
    stop = true;
    await Promise.all(loops);

    // Never a 500, never a hang, never a dropped connection.
    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].filter((s) => ![200, 201, 503].includes(s as number))).toEqual([]);

    const unavailable = outcomes.filter((o) => o.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const o of unavailable) {
      // Only requests that were still running when the plug was pulled.
      expect(o.at + o.ms, o.what).toBeGreaterThanOrEqual(cutAt);
      expect(o.retryAfter, o.what).toBe("5");
      if (o.contentType.includes("json")) {
        expect(JSON.parse(o.body)).toEqual({ error: { code: "database_unavailable", message: DATABASE_MESSAGE } });
      } else {
        expect(o.contentType).toContain("text/html");
        expect(o.body).toContain(DATABASE_MESSAGE);
      }
    }

    // A second after the database is back, everything succeeds again.
    const after = outcomes.filter((o) => o.at > restoredAt + 1_000);
    expect(after.length).toBeGreaterThan(10);
    expect(after.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);

    // The same process, never restarted; no stack traces or errors in its log.
    expect(server.pid).toBe(pid);
    expect(server.output()).not.toMatch(/ ERROR |Unhandled|uncaught/i);
    expect(server.output()).toContain("database unavailable");

    // Every acknowledged reply is stored.
    const thread = await (await fetch(`${server.url}/api/v1/threads/${threadId}?page=1&check=1`)).json();
    const pages = thread.pages as number;
    const bodies: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const res = await (await fetch(`${server.url}/api/v1/threads/${threadId}?page=${page}&check=${page}`)).json();
      bodies.push(...res.posts.map((p: { body: string }) => p.body));
    }
    for (const body of acknowledged) expect(bodies).toContain(body);

    console.log(
      `database outage: ${outcomes.length} requests, ${unavailable.length} answered 503 during ${OUTAGE_MS / 1000}s without the database, ` +
        `${acknowledged.length} replies acknowledged and all stored, ${proxy.accepted} database connections made`,
    );
  });
});

// The errors below are what Prisma 7 with @prisma/adapter-pg throws when the
// connection drops mid-query, when nothing listens, and when a transaction
// cannot start (captured from a real PostgreSQL behind the proxy above).
describe("which errors mean the database is unreachable", () => {
  const adapterError = (code: string, kind: string, message: string) =>
    Object.assign(new Error(message), {
      name: "PrismaClientKnownRequestError",
      code,
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind } } },
    });

  it("connection lost, refused, timed out or shutting down: 503 with a message and Retry-After", () => {
    const outages = [
      adapterError("P2010", "ConnectionClosed", "Raw query failed. Code: `N/A`. Message: `Server has closed the connection.`"),
      adapterError("P1001", "DatabaseNotReachable", "Can't reach database server at 127.0.0.1:5432"),
      Object.assign(new Error("Connection terminated unexpectedly"), {}),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      new Error("timeout exceeded when trying to connect"),
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      new Error("wrapped", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }),
    ];
    for (const error of outages) {
      const answer = databaseUnavailable(error);
      expect(answer?.status, error.message).toBe(503);
      expect(answer?.message).toBe(DATABASE_MESSAGE);
      expect(answer?.headers).toEqual({ "Retry-After": "5" });
    }
  });

  it("ordinary failures stay what they are (a unique violation, a bug)", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is not a function"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
