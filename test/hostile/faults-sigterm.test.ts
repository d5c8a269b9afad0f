import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { until } from "../helpers/wait";
import { FakeMeilisearch } from "../mocks/meilisearch";

// A deploy sends SIGTERM while members are mid-request. The slow request here
// is a real one: a search whose engine (a fake Meilisearch) takes its time to
// answer, so no test-only endpoint exists in the app.

let meili: FakeMeilisearch;
let server: TestServer;

beforeAll(async () => {
  meili = await new FakeMeilisearch().start();
  server = await startServer({ seed: true, env: { MEILI_HOST: meili.url } });
});
afterAll(async () => {
  meili?.release();
  await server?.stop();
  await meili?.stop();
});

/** Resolves "refused" when nothing listens on the port any more, "accepted" otherwise. */
const tryConnect = (url: string) =>
  new Promise<"accepted" | "refused">((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    socket.once("connect", () => (socket.destroy(), resolve("accepted")));
    socket.once("error", () => resolve("refused"));
  });

describe("SIGTERM during a request", () => {
  it("finishes the request in progress, refuses new connections, and exits 0", async () => {
    // A visitor already browsed: their keep-alive connection sits idle and must not keep the server up.
    expect((await fetch(`${server.url}/`)).status).toBe(200);

    meili.hold(/^POST \/indexes\/[^/]+\/search$/);
    const inFlight = fetch(`${server.url}/api/v1/search?q=welcome`);
    await until("the search to reach the engine", () => meili.held >= 1);

    const exited = server.signal("SIGTERM");
    await until("the server to begin shutting down", () => server.output().includes("SIGTERM: shutting down"));
    expect(await tryConnect(server.url)).toBe("refused");

    // The engine answers at last: the member still gets their results.
    meili.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Array.isArray(body.hits)).toBe(true);
    expect(res.headers.get("connection")).toBe("close");

    expect(await exited).toEqual({ code: 0, signal: null });
    expect(server.output()).not.toMatch(/still running after|ERROR/);
  });

  it("lets the background job in progress finish before the database closes", { timeout: 120_000 }, async () => {
    await server.restart();
    const member = await signIn(server, "member@backline.local");
    const heldBefore = meili.held;
    meili.hold(/^POST \/indexes\/[^/]+\/documents$/);
    const created = await member.post("/api/v1/threads", {
      category: "community",
      title: "Posted just before a deploy",
      body: "Its search job is running when SIGTERM arrives.",
    });
    expect(created.status).toBe(201);
    const thread = await created.json();
    await until("the search job to send its documents", () => meili.held > heldBefore);

    let exitedYet = false;
    const exited = server.signal("SIGTERM").finally(() => (exitedYet = true));
    await until("the server to begin shutting down", () =>
      server.output().split("--- restart ---").at(-1)!.includes("SIGTERM: shutting down"),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    // Requests are drained; the process still waits for the job.
    expect(exitedYet).toBe(false);
    meili.release();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(meili.documents("backline_posts").some((d) => d.postId === thread.postId)).toBe(true);

    // Started again, nothing was left half-done: the job finished in its first attempt.
    await server.restart();
    const db = new pg.Client({ connectionString: server.databaseUrl() });
    await db.connect();
    const { rows } = await db.query(`select state, attempts from "Job" where queue = 'search' and "dedupeKey" = $1`, [
      `thread:${thread.id}`,
    ]);
    await db.end();
    expect(rows).toEqual([{ state: "done", attempts: 1 }]);
    expect(server.output()).not.toContain("put back in the queue");
  });
});
