import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enforce, refund, reserve } from "~/models/rate-limit.server";
import { db } from "~/services/db.server";
import { AppError } from "~/utils/errors";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { makeCategory, makeUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";

// Hostile world, rate limits (issue 8): a burst fired all at once must get
// exactly `max` requests through, never more, and every other one a 429 with
// Retry-After. Black-box over HTTP against the built server (sharing this
// file's database so the counters can be read), plus the counter primitives
// themselves, which on PostgreSQL run truly in parallel.

const database = useTestDatabase();
let server: TestServer;

beforeAll(async () => {
  // No background queue in the server: this process reads the shared database between bursts.
  server = await startServer({ databaseUrl: database.url, env: { BACKLINE_JOBS: "off" } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});
// Every story starts with fresh counters (all requests here come from one address, 127.0.0.1).
beforeEach(async () => {
  await db.rateLimit.deleteMany();
});

const statuses = (responses: Response[]) => responses.map((r) => r.status);
const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length;

/** Every refusal is a 429 that says how long to wait, in seconds and in words. */
async function expectSlowDowns(responses: Response[], what: RegExp, maxWait: number) {
  for (const r of responses.filter((x) => x.status === 429)) {
    const wait = Number(r.headers.get("Retry-After"));
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(maxWait);
    const body = await r.json();
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(what);
    expect(body.error.message).toMatch(/Try again in \d+ (second|minute|hour)s?\./);
  }
}

function expectNoServerErrors(responses: Response[]) {
  expect(statuses(responses).filter((s) => s >= 500)).toEqual([]);
  expect(server.output()).not.toMatch(/ ERROR /);
}

const login = (email: string, password: string) => new Client(server.url).post("/api/v1/session", { email, password });

describe("sign-in under a parallel burst of guesses", () => {
  it("tries at most 5 wrong passwords for one account, however many arrive at once", async () => {
    const victim = await makeUser();
    const email = `${victim.username}@example.com`;
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `wrong guess number ${i}`)));
    expectNoServerErrors(guesses);
    expect(count(guesses, 401)).toBe(5);
    expect(count(guesses, 429)).toBe(25);
    await expectSlowDowns(guesses, /Too many failed sign-in attempts/, 900);
    expect((await db.rateLimit.findUniqueOrThrow({ where: { key: `login:${email}` } })).count).toBe(5);
    // The account is paused even for the right password until the window ends.
    const owner = await login(email, TEST_PASSWORD);
    expect(owner.status).toBe(429);
    expect(Number(owner.headers.get("Retry-After"))).toBeGreaterThan(0);
  }, 120_000);

  it("tries at most 20 wrong passwords from one address across many accounts", async () => {
    const guesses = await Promise.all(Array.from({ length: 45 }, (_, i) => login(`nobody${i}@example.com`, "not the password")));
    expectNoServerErrors(guesses);
    expect(count(guesses, 401)).toBe(20);
    expect(count(guesses, 429)).toBe(25);
    await expectSlowDowns(guesses, /Too many failed sign-in attempts/, 900);
  }, 120_000);

  it("does not count successful sign-ins against the address", async () => {
    const people = await Promise.all(Array.from({ length: 8 }, () => makeUser()));
    const results = await Promise.all(people.map((p) => login(`${p.username}@example.com`, TEST_PASSWORD)));
    expect(statuses(results)).toEqual(Array(8).fill(200));
    const address = await db.rateLimit.findMany({ where: { key: { startsWith: "login-ip:" } }, select: { count: true } });
    expect(address.map((r) => r.count)).toEqual([0]);
    expect(await db.rateLimit.count({ where: { key: { startsWith: "login:" } } })).toBe(0);
  }, 120_000);
});

describe("other limited actions under a parallel burst", () => {
  it("sends at most 3 password reset mails for one address in an hour", async () => {
    const member = await makeUser();
    const email = `${member.username}@example.com`;
    const requests = await Promise.all(Array.from({ length: 20 }, () => new Client(server.url).post("/api/v1/password-resets", { email })));
    expectNoServerErrors(requests);
    expect(count(requests, 202)).toBe(3);
    expect(count(requests, 429)).toBe(17);
    await expectSlowDowns(requests, /Too many password reset requests/, 3600);
    expect(await db.passwordReset.count({ where: { userId: member.id } })).toBe(3);
  }, 60_000);

  it("lets a new account post exactly 5 replies an hour, however many it sends at once", async () => {
    const category = await makeCategory();
    const asker = await makeUser();
    const askerClient = new Client(server.url);
    expect((await askerClient.post("/api/v1/session", { email: `${asker.username}@example.com`, password: TEST_PASSWORD })).status).toBe(
      200,
    );
    const created = await askerClient.post("/api/v1/threads", {
      category: category.slug,
      title: "Where are the logs kept?",
      body: "I cannot find the log files.",
    });
    expect(created.status).toBe(201);
    const threadId = (await created.json()).id as string;

    const newcomer = await makeUser({ trustLevel: 0 });
    const client = new Client(server.url);
    expect((await client.post("/api/v1/session", { email: `${newcomer.username}@example.com`, password: TEST_PASSWORD })).status).toBe(200);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.post(`/api/v1/threads/${threadId}/posts`, { body: `They are in /var/log, attempt ${i}.` }),
      ),
    );
    expectNoServerErrors(replies);
    expect(count(replies, 201)).toBe(5);
    expect(count(replies, 429)).toBe(15);
    await expectSlowDowns(replies, /Too many posts \(limit 5 an hour/, 3600);
    expect(await db.post.count({ where: { authorId: newcomer.id } })).toBe(5);
    expect((await db.thread.findUniqueOrThrow({ where: { id: threadId } })).replyCount).toBe(5);
  }, 60_000);

  it("accepts at most 20 flags an hour from one member", async () => {
    const category = await makeCategory();
    const author = await makeUser();
    const thread = await db.thread.create({
      data: {
        slug: "many-posts",
        title: "Many posts to flag",
        categoryId: category.id,
        authorId: author.id,
        posts: {
          create: Array.from({ length: 30 }, (_, i) => ({
            number: i,
            authorId: author.id,
            body: `Post ${i}`,
            bodyHtml: `<p>Post ${i}</p>`,
          })),
        },
      },
      include: { posts: true },
    });
    const reporter = await makeUser();
    const client = new Client(server.url);
    expect((await client.post("/api/v1/session", { email: `${reporter.username}@example.com`, password: TEST_PASSWORD })).status).toBe(200);
    const flags = await Promise.all(thread.posts.map((p) => client.post(`/api/v1/posts/${p.id}/flags`, { reason: "off-topic" })));
    expectNoServerErrors(flags);
    expect(count(flags, 201)).toBe(20);
    expect(count(flags, 429)).toBe(10);
    await expectSlowDowns(flags, /Too many flags/, 3600);
    expect(await db.flag.count({ where: { reporterId: reporter.id } })).toBe(20);
  }, 60_000);

  it("creates at most 10 accounts an hour from one address", async () => {
    const tag = Date.now().toString(36);
    const signups = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        new Client(server.url).post("/api/v1/users", {
          username: `burst_${tag}_${i}`,
          email: `burst_${tag}_${i}@example.com`,
          password: TEST_PASSWORD,
        }),
      ),
    );
    expectNoServerErrors(signups);
    expect(count(signups, 201)).toBe(10);
    expect(count(signups, 429)).toBe(15);
    await expectSlowDowns(signups, /Too many sign-ups from this address/, 3600);
    expect(await db.user.count({ where: { username: { startsWith: `burst_${tag}_` } } })).toBe(10);
  }, 120_000);
});

describe("the shared counter itself", () => {
  const settle = async (work: Promise<unknown>[]) => {
    const results = await Promise.allSettled(work);
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    for (const e of refused) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).status).toBe(429);
      expect(Number((e as AppError).headers?.["Retry-After"])).toBeGreaterThan(0);
    }
    return { passed: results.length - refused.length, refused: refused.length };
  };

  it("lets exactly `max` of 100 simultaneous hits through", async () => {
    const limit = { key: "burst:enforce", max: 7, windowSeconds: 60, what: "tries" };
    expect(await settle(Array.from({ length: 100 }, () => enforce(limit)))).toEqual({ passed: 7, refused: 93 });
    expect((await db.rateLimit.findUniqueOrThrow({ where: { key: limit.key } })).count).toBe(100);
  });

  it("never asks to wait longer than the window, when a concurrent hit opened it a moment after this one began", async () => {
    const limit = { key: "burst:late-window", max: 1, windowSeconds: 3600, what: "tries" };
    const opened = new Date("2026-12-05T12:00:00.500Z");
    await enforce(limit, opened);
    // Taken 50 ms before the window it lands in was opened: 3600.05 s left by its own clock.
    const refused = await enforce(limit, new Date(opened.getTime() - 50)).catch((e: AppError) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).headers?.["Retry-After"]).toBe("3600");
  });

  it("reserves exactly `max` attempts of 100 simultaneous ones, and a refund frees exactly one", async () => {
    const limits = [
      { key: "burst:account", max: 5, windowSeconds: 60, what: "tries" },
      { key: "burst:address", max: 50, windowSeconds: 60, what: "tries" },
    ];
    const taken: Awaited<ReturnType<typeof reserve>>[] = [];
    const outcome = await settle(Array.from({ length: 100 }, () => reserve(limits).then((r) => taken.push(r))));
    expect(outcome).toEqual({ passed: 5, refused: 95 });
    // Refused attempts are not counted: only the five that went through are.
    const counts = Object.fromEntries(
      (await db.rateLimit.findMany({ where: { key: { startsWith: "burst:a" } } })).map((r) => [r.key, r.count]),
    );
    expect(counts).toEqual({ "burst:account": 5, "burst:address": 5 });
    await refund(taken[0]!);
    expect(await settle(Array.from({ length: 10 }, () => reserve(limits)))).toEqual({ passed: 1, refused: 9 });
  });

  it("starts a new window once the old one has expired, for a burst at the boundary too", async () => {
    const limit = { key: "burst:window", max: 3, windowSeconds: 60, what: "tries" };
    const t0 = new Date("2026-01-01T00:00:00Z");
    expect(await settle(Array.from({ length: 10 }, () => enforce(limit, t0)))).toEqual({ passed: 3, refused: 7 });
    const later = new Date(t0.getTime() + 61_000);
    expect(await settle(Array.from({ length: 10 }, () => enforce(limit, later)))).toEqual({ passed: 3, refused: 7 });
  });
});
