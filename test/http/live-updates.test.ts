import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventStream, type OpenStream } from "../helpers/event-stream";
import { Client, signIn } from "../helpers/http";
import { paidTicket } from "../helpers/paid-ticket";
import { startServer, type TestServer } from "../helpers/server";
import { until } from "../helpers/wait";

// Live updates over server-sent events (docs/decisions/049): a reader of a thread hears of a reply
// posted by someone else, never of content they may not see, and one server keeps a bounded number
// of streams open.

const CAP = 4;
let server: TestServer;
let ada: Client;
let grace: Client;
let moderator: Client;
const opened: OpenStream[] = [];

async function open(path: string, client?: Client) {
  const stream = await openEventStream(server.url + path, client ? { Cookie: client.cookieHeader() } : {});
  opened.push(stream);
  return stream;
}

const ready = (s: OpenStream) => until("the stream to be ready", () => s.events.some((e) => e.event === "ready"));
const changes = (s: OpenStream) => s.events.filter((e) => e.event === "change").map((e) => JSON.parse(e.data) as Record<string, unknown>);

async function newThread(title: string) {
  const res = await ada.post("/api/v1/threads", {
    category: "pro",
    title,
    body: "Our webhook handler runs twice for every event since 3.2.",
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

beforeAll(async () => {
  server = await startServer({ seed: true, env: { LIVE_STREAMS_MAX: String(CAP) } });
  [ada, grace, moderator] = await Promise.all([
    signIn(server, "member@backline.local"),
    signIn(server, "member2@backline.local"),
    signIn(server, "moderator@backline.local"),
  ]);
});
afterAll(async () => {
  for (const s of opened) s.close();
  await server?.stop();
});

describe("a thread's live stream", () => {
  it("tells a visitor reading the thread that another member replied, as an uncached event stream", async () => {
    const thread = await newThread("Live replies arrive without a reload");
    const stream = await open(`/live/threads/${thread.id}`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get("cache-control")).toContain("no-store");
    expect(stream.response.headers.get("x-cache")).toBeNull();
    await ready(stream);

    const replied = await grace.post(`/api/v1/threads/${thread.id}/posts`, { body: "Dedupe on the event id; retries are expected." });
    expect(replied.status).toBe(201);
    const [change] = await until("a change event", () => (changes(stream).length ? changes(stream) : false));
    expect(change).toMatchObject({ posts: 2, added: 1 });
    // The event says that something changed, never what: the reader loads it with their own visibility.
    expect(JSON.stringify(stream.events)).not.toContain("Dedupe");
    stream.close();
  });

  it("never carries hidden content, and a hidden thread's stream is 404 to those who may not see it", async () => {
    const thread = await newThread("A thread a moderator will hide");
    const stream = await open(`/live/threads/${thread.id}`, grace);
    await ready(stream);
    const hidden = await moderator.post(`/api/v1/threads/${thread.id}/hide`, { reason: "Spam" });
    expect(hidden.status).toBe(200);
    // Hiding the thread takes its posts out of what everyone sees: the count drops, no text is sent.
    await until("the hide to reach the stream", () => changes(stream).some((c) => c.posts === 0));
    expect(JSON.stringify(stream.events)).not.toContain("webhook handler");
    stream.close();

    expect((await open(`/live/threads/${thread.id}`)).response.status).toBe(404);
    expect((await open(`/live/threads/${thread.id}`, grace)).response.status).toBe(404);
    const mine = await open(`/live/threads/${thread.id}`, ada);
    expect(mine.response.status).toBe(200);
    mine.close();
    expect((await open(`/live/threads/no-such-thread`)).response.status).toBe(404);
  });

  it("the desk stream is for the desk only", async () => {
    expect((await open("/live/desk")).response.status).toBe(404);
    expect((await open("/live/desk", ada)).response.status).toBe(404);
    const desk = await open("/live/desk", await signIn(server, "maintainer@backline.local"));
    expect(desk.response.status).toBe(200);
    await ready(desk);
    desk.close();
  });

  it("tells the desk of a new paid ticket and of its acceptance", async () => {
    const maintainer = await signIn(server, "maintainer@backline.local");
    const desk = await open("/live/desk", maintainer);
    await ready(desk);
    const thread = await newThread("A paid question the desk hears about");
    const { ticketId } = await paidTicket(server, grace, thread.id);
    await until("the new ticket to reach the desk", () => changes(desk).length >= 1);
    const seen = changes(desk).length;
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/accept`, {})).status).toBe(200);
    await until("the acceptance to reach the desk", () => changes(desk).length > seen);
    // Counts and times only: nothing of the request or the member.
    expect(JSON.stringify(desk.events)).not.toMatch(/grace|webhook handler|3\.2\.1/);
    desk.close();
  });
});

describe("several app servers on one database", () => {
  it("a reply written through one server reaches a reader streaming from another", async () => {
    // A second process on the same database, as behind a load balancer (PGlite: through the first one's socket).
    const other = await startServer({ databaseUrl: server.databaseUrl() });
    try {
      const thread = await newThread("Replies written on another server");
      const stream = await open(`/live/threads/${thread.id}`);
      await ready(stream);
      const elsewhere = await signIn(other, "member2@backline.local");
      const replied = await elsewhere.post(`/api/v1/threads/${thread.id}/posts`, { body: "Answered through the second server." });
      expect(replied.status).toBe(201);
      const [change] = await until("the other server's reply to reach this stream", () =>
        changes(stream).length ? changes(stream) : false,
      );
      expect(change).toMatchObject({ posts: 2, added: 1 });
      stream.close();
    } finally {
      await other.stop();
    }
  });
});

describe("the per-server cap on open streams", () => {
  it("answers 503 with Retry-After past the cap, and frees a place when a reader hangs up", async () => {
    for (const s of opened) s.close();
    const thread = await newThread("Many readers at once");
    const path = `/live/threads/${thread.id}`;
    // Earlier streams end on the server when their clients hang up; until then they count. So the whole cap is
    // asked for until every place is free at once.
    const streams = await until("every earlier stream to be closed", async () => {
      const batch: OpenStream[] = [];
      for (let i = 0; i < CAP; i++) {
        const s = await open(path);
        if (s.response.status !== 200) {
          for (const b of [...batch, s]) b.close();
          return false;
        }
        batch.push(s);
      }
      return batch;
    });
    const refused = await open(path);
    expect(refused.response.status).toBe(503);
    expect(refused.response.headers.get("retry-after")).toBe("30");
    expect(await refused.response.text()).toMatch(/too many live connections/i);

    streams.pop()!.close();
    const again = await until("a place to be freed", async () => {
      const s = await open(path);
      if (s.response.status === 200) return s;
      return false;
    });
    again.close();
    for (const s of streams) s.close();
  });
});
