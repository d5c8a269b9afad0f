import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { ACTORS, EMAILS, GATE, MATRIX, type Actor, type Entry, type Expected, type World } from "./authorization-matrix";

// The authorization matrix (issue 8): every route of the built app and every
// API endpoint, requested by a visitor, the owner of the resources in the URL,
// another member, a moderator, the maintainer and an admin, against one seeded
// world. A route without an entry in authorization-matrix.ts fails the suite.

const root = path.resolve(__dirname, "../..");
const SECRET = "PRIVATE-gate-text-4b1d";
const NOTE = "INTERNAL-desk-note-77e2";
const OWNER_REPLY = "PRIVATE-owner-reply-a9f0";

let server: TestServer;
let world: World;
const clients = {} as Record<Actor, Client>;
/** Things only the owner (and the desk) may ever see; no response to a visitor, another member or a moderator contains them. */
const privateText: string[] = [SECRET, NOTE, OWNER_REPLY];
let requests = 0;
const tokens = {} as Record<"member" | "other", string>;

type ServerBuild = {
  routes: Record<string, { id: string; parentId?: string; path?: string; index?: boolean; module: Record<string, unknown> }>;
};
const build = (): ServerBuild => createRequire(__filename)(path.join(root, "build/index.js"));

/** A client as the actor: signed in, or a visitor's with no session. */
const clientOf = (actor: Actor): Promise<Client> =>
  actor === "visitor" ? Promise.resolve(new Client(server.url)) : signIn(server, EMAILS[actor]);

async function json(res: Response, what: string) {
  const text = await res.text();
  if (!res.ok && res.status !== 302) throw new Error(`${what}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Escalates a thread over the API as its owner; with `pay`, authorises on the test checkout page. */
async function escalate(client: Client, threadId: string, pay: boolean) {
  const { escalationId } = await json(
    await client.post(`/api/v1/threads/${threadId}/escalations`, {
      ...GATE,
      stepsToReproduce: `1. Start the app\n2. Send a webhook\n3. ${SECRET}`,
    }),
    "escalation",
  );
  if (!pay) return { escalationId, ticketId: "" };
  const authorized = await client.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
  expect(authorized.status).toBe(302);
  const back = await client.get(authorized.headers.get("location")!.replace(server.url, ""));
  expect(back.status).toBe(302);
  return { escalationId, ticketId: back.headers.get("location")!.split("/tickets/")[1]! };
}

async function buildWorld(): Promise<World> {
  const { member, other, maintainer, admin } = clients;
  const ask = async (title: string) =>
    json(
      await member.post("/api/v1/threads", {
        category: "pro",
        title,
        body: "Every webhook is rejected with `invalid signature` since 3.2.",
        tags: "webhooks",
      }),
      "thread",
    );
  const reply = async (client: Client, threadId: string, body: string) =>
    (await json(await client.post(`/api/v1/threads/${threadId}/posts`, { body }), "reply")).id as string;

  const thread = await ask("Webhook signature fails after the 3.2 upgrade, on every event");
  const replyPostId = await reply(other, thread.id, "Mount the webhook route before the JSON parser.");
  const memberReplyId = await reply(member, thread.id, "Thanks, I will try that tomorrow morning.");

  // Targets the DELETE requests consume, one per actor, so each permitted delete succeeds on its own post.
  const target = await ask("Posts to clean up: a thread of replies nobody needs");
  const deletablePosts = {} as Record<Actor, string>;
  const deletableThreads = {} as Record<Actor, string>;
  for (const a of ACTORS) {
    deletablePosts[a] = await reply(member, target.id, `A reply the ${a} tries to delete.`);
    deletableThreads[a] = (await ask(`A thread the ${a} tries to delete, asked twice by mistake`)).id;
  }

  const { ticketId, escalationId } = await escalate(member, thread.id, true);
  await json(await member.post(`/api/v1/tickets/${ticketId}/messages`, { body: OWNER_REPLY }), "owner reply");
  await json(await maintainer.post(`/api/v1/tickets/${ticketId}/messages`, { body: NOTE, internal: true }), "desk note");
  const open = await escalate(member, (await ask("Signature check fails again after the 3.2.1 patch release")).id, false);

  const plan = await admin.request("POST", "/admin/insurance", {
    form: { intent: "create", name: "Yearly cover", priceCents: "9900", coverageCents: "20000", currency: "usd", active: "on" },
  });
  expect(plan.status).toBe(200);
  const planId = (await json(await member.get("/api/v1/insurance"), "insurance")).plans[0].id as string;
  const buy = await member.request("POST", "/insurance", { form: { intent: "buy", planId } });
  expect(buy.status).toBe(302);
  const insuranceId = buy.headers.get("location")!.split("/test-checkout/insurance/")[1]!;

  const flag = await json(await maintainer.post(`/api/v1/posts/${memberReplyId}/flags`, { reason: "off-topic" }), "flag");
  const categories = await json(await member.get("/api/v1/categories"), "categories");
  const empty = await json(await admin.post("/api/v1/categories", { slug: "empty-shelf", name: "Empty shelf" }), "category");
  const full = await json(await member.get(`/api/v1/threads/${thread.id}`), "thread");
  const me = async (a: Exclude<Actor, "visitor">) => (await json(await clients[a].get("/api/v1/me"), "me")).username as string;

  // The member's own notification (the reply by `other`), and the member's e-mail address, are private too.
  const inbox = await json(await member.get("/api/v1/notifications"), "notifications");
  expect(inbox.notifications.length).toBeGreaterThan(0);
  privateText.push(inbox.notifications[0].id, EMAILS.member);
  // So are the member's payment records and API token.
  privateText.push(ticketId, escalationId, open.escalationId, insuranceId);
  tokens.member = (await json(await member.post("/api/v1/tokens", { name: "ci" }), "token")).token;
  tokens.other = (await json(await other.post("/api/v1/tokens", { name: "ci" }), "token")).token;
  privateText.push(tokens.member);

  return {
    usernames: {
      member: await me("member"),
      other: await me("other"),
      moderator: await me("moderator"),
      maintainer: await me("maintainer"),
      admin: await me("admin"),
    },
    thread: { id: thread.id, slug: thread.slug, questionPostId: full.posts[0].id, replyPostId },
    memberReplyId,
    deletablePosts,
    deletableThreads,
    ticketId,
    escalationId,
    openEscalationId: open.escalationId,
    insuranceId,
    planId,
    flagId: flag.id,
    categoryId: categories.find((c: { slug: string }) => c.slug === "pro").id,
    emptyCategoryId: empty.id,
    tag: "webhooks",
  };
}

beforeAll(async () => {
  server = await startServer({ seed: true });
  for (const a of ACTORS) clients[a] = await clientOf(a);
  world = await buildWorld();
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

const refused = (e: Expected) => e === "login" || (typeof e === "number" && [401, 403, 404].includes(e));

async function send(client: Client, method: string, req: { path: string; body?: unknown; form?: Record<string, string> }) {
  requests += 1;
  if (req.form) return client.request(method, req.path, { form: req.form });
  return client.request(method, req.path, method === "GET" ? {} : { json: req.body ?? {} });
}

/** A redirect as a status: "login" for the sign-in form, 302 otherwise; single-fetch data requests encode it in a 202 body. */
function outcome(res: Response, text: string): Expected {
  const location = res.status === 202 ? /"redirect","([^"]*)"/.exec(text)?.[1] : res.status === 302 ? res.headers.get("location") : null;
  if (location == null) return res.status;
  return location.startsWith("/login?redirectTo=") ? "login" : 302;
}

async function check(key: string, actor: Actor, expected: Expected, res: Response, sentPath: string, variant = "") {
  // A live-update stream never ends: its headers are the answer, and its events carry counts only.
  const stream = res.headers.get("content-type")?.startsWith("text/event-stream");
  const text = stream ? (await res.body?.cancel(), "") : await res.text();
  const got = outcome(res, text);
  const what = `${key} as ${actor}${variant}`;
  expect({ what, status: got }, text.slice(0, 300)).toEqual({ what, status: expected });
  // Whatever the answer, nobody but the owner and the desk reads the owner's private text.
  if (actor === "visitor" || actor === "other" || actor === "moderator") {
    // An id the requester put in the URL comes back in the page's own location; that is an echo, not a leak.
    for (const secret of privateText.filter((t) => !sentPath.includes(t)))
      expect(text.includes(secret), `${what} leaks “${secret}”`).toBe(false);
  }
}

function routeTable() {
  const routes = build().routes;
  const full = (id: string): string => {
    const r = routes[id]!;
    const own = r.path ?? "";
    if (!r.parentId) return own;
    const parent = full(r.parentId);
    return [parent, own].filter(Boolean).join("/");
  };
  return Object.values(routes).map((r) => ({ id: r.id, path: `/${full(r.id)}`, module: r.module }));
}

const apiPath = (routePath: string) => routePath.replace(/:(\w+)/g, "{$1}");

describe("the authorization matrix", () => {
  test("has an entry for every route and API endpoint, and none for a route that is gone", async () => {
    const openapi = await (await new Client(server.url).get("/api/v1/openapi.json")).json();
    const documented = openapi.paths as Record<string, Record<string, unknown>>;
    const routes = routeTable();
    const wanted = new Set<string>();
    for (const r of routes) {
      const methods = documented[apiPath(r.path)]
        ? Object.keys(documented[apiPath(r.path)]!).map((m) => m.toUpperCase())
        : [...(r.module.loader || r.module.default ? ["GET"] : []), ...(r.module.action ? ["POST"] : [])];
      for (const m of methods) wanted.add(`${m} ${r.id}`);
    }
    const routePaths = new Set(routes.map((r) => apiPath(r.path)));
    const undocumentedRoutes = Object.keys(documented).filter((p) => !routePaths.has(p));
    expect(undocumentedRoutes, "API paths in openapi.json without a route").toEqual([]);
    expect([...wanted].filter((k) => !MATRIX[k]).sort(), "routes without an entry in authorization-matrix.ts").toEqual([]);
    expect(
      Object.keys(MATRIX)
        .filter((k) => !wanted.has(k))
        .sort(),
      "matrix entries for routes that no longer exist",
    ).toEqual([]);
  });

  // Remix's single-fetch data requests (/tickets/:id.data) run the same loaders without the page around them:
  // the same answers, and the same private text withheld.
  const pages = new Set(
    Object.values(build().routes)
      .filter((r) => r.module.default)
      .map((r) => r.id),
  );
  const dataPath = (p: string) => {
    const [pathname, search] = p.split("?");
    return `${pathname === "/" ? "/_root" : pathname}.data${search ? `?${search}` : ""}`;
  };
  test.each(Object.entries(MATRIX).filter(([key]) => key.startsWith("GET ") && pages.has(key.slice(4))))(
    "%s as a data request",
    async (key, entry) => {
      await Promise.all(
        ACTORS.map(async (actor) => {
          const path = dataPath(entry.request(world, actor).path);
          await check(key, actor, entry.expect[actor], await send(clients[actor], "GET", { path }), path, " (.data)");
        }),
      );
    },
  );

  test("another member cannot mark the owner's notifications read", async () => {
    const owner = await (await clients.member.get("/api/v1/notifications?unread=true")).json();
    const id = owner.notifications[0]?.id as string;
    expect(id).toBeDefined();
    const res = await clients.other.post("/api/v1/notifications/read", { ids: [id] });
    expect(res.status).toBe(200);
    expect((await res.json()).marked).toBe(0);
    const after = await (await clients.member.get("/api/v1/notifications?unread=true")).json();
    expect(after.notifications.map((n: { id: string }) => n.id)).toContain(id);
  });

  test("an API token acts with its owner's rights and no more; a wrong one is a 401", async () => {
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const anonymous = new Client(server.url);
    const ticket = `/api/v1/tickets/${world.ticketId}`;
    expect((await anonymous.get(ticket, bearer(tokens.member))).status).toBe(200);
    const stranger = await anonymous.get(ticket, bearer(tokens.other));
    expect(stranger.status).toBe(404);
    expect(await stranger.text()).not.toContain(SECRET);
    expect((await anonymous.get("/api/v1/flags", bearer(tokens.member))).status).toBe(403);
    expect((await anonymous.request("POST", `${ticket}/accept`, { json: {}, headers: bearer(tokens.member) })).status).toBe(403);
    expect((await anonymous.get(ticket, bearer(`${tokens.member}x`))).status).toBe(401);
    expect((await anonymous.get("/api/v1/me", bearer("not-a-token"))).status).toBe(401);
  });

  test("a stranger cannot tell the owner's private ticket and checkouts from ones that do not exist", async () => {
    const fake = "cm0000000000000000000000x";
    const probes: [string, string, (id: string) => string, unknown?][] = [
      ["GET", "ticket API", (id) => `/api/v1/tickets/${id}`],
      ["POST", "ticket message API", (id) => `/api/v1/tickets/${id}/messages`, { body: "Let me in." }],
      ["POST", "ticket decision API", (id) => `/api/v1/tickets/${id}/accept`, {}],
      ["GET", "ticket page", (id) => `/tickets/${id}`],
      ["GET", "test checkout", (id) => `/test-checkout/${id}`],
      ["GET", "insurance checkout", (id) => `/test-checkout/insurance/${id}`],
    ];
    const real: Record<string, string> = {
      "ticket API": world.ticketId,
      "ticket message API": world.ticketId,
      "ticket decision API": world.ticketId,
      "ticket page": world.ticketId,
      "test checkout": world.openEscalationId,
      "insurance checkout": world.insuranceId,
    };
    for (const [method, what, path, body] of probes) {
      for (const stranger of ["other", "moderator"] as const) {
        const ask = async (id: string) => {
          const res = await clients[stranger].request(method, path(id), body === undefined ? {} : { json: body });
          return { status: res.status, body: path(id).startsWith("/api/") ? await res.text() : "(page)" };
        };
        expect({ what, stranger, ...(await ask(real[what]!)) }).toEqual({ what, stranger, ...(await ask(fake)) });
      }
    }
  });

  test("every ticket form action is a 404 for strangers and every desk decision a 403 for the owner", async () => {
    const intents = [
      "reply",
      "note",
      "accept",
      "reject",
      "request-info",
      "resolve",
      "withdraw",
      "publish-draft",
      "publish-consent",
      "accept-published",
      "retry-payment",
      "refund",
    ];
    const form = { body: "Trying my luck.", message: "Trying my luck here.", reason: "careless", draftHash: "x" };
    for (const intent of intents) {
      for (const stranger of ["other", "moderator"] as const) {
        const res = await clients[stranger].request("POST", `/tickets/${world.ticketId}`, { form: { intent, ...form } });
        expect({ intent, stranger, status: res.status }).toEqual({ intent, stranger, status: 404 });
        expect(await res.text()).not.toContain(SECRET);
      }
    }
    for (const intent of ["note", "accept", "reject", "request-info", "resolve", "retry-payment", "refund"]) {
      const res = await clients.member.request("POST", `/tickets/${world.ticketId}`, { form: { intent, ...form } });
      expect({ intent, status: res.status }).toEqual({ intent, status: 403 });
    }
    // Withdrawing is the owner's alone: the desk rejects instead.
    const deskWithdraw = await clients.maintainer.request("POST", `/tickets/${world.ticketId}`, {
      form: { intent: "withdraw", reason: "Trying my luck." },
    });
    expect(deskWithdraw.status).toBe(403);
    const ticket = await (await clients.member.get(`/api/v1/tickets/${world.ticketId}`)).json();
    expect(ticket.state).toBe("awaiting_acceptance");
  });

  test("every moderation form action on the owner's post is refused to members and the maintainer", async () => {
    const intents = [
      "hide-post",
      "unhide-post",
      "delete-post",
      "restore-post",
      "hide-thread",
      "unhide-thread",
      "lock-thread",
      "unlock-thread",
      "move-thread",
      "delete-thread",
      "restore-thread",
      "dismiss-flags",
      "dismiss-flag",
    ];
    for (const intent of intents) {
      const id = intent.endsWith("thread") ? world.thread.id : intent === "dismiss-flag" ? world.flagId : world.memberReplyId;
      for (const actor of ["other", "maintainer"] as const) {
        const res = await clients[actor].request("POST", "/mod/actions", {
          form: { intent, id, reason: "Because I can.", category: "community", _response: "json" },
        });
        expect({ intent, actor, status: res.status }).toEqual({ intent, actor, status: 403 });
      }
    }
    const thread = await (await clients.visitor.get(`/api/v1/threads/${world.thread.id}`)).json();
    expect(thread).toMatchObject({ locked: false, category: expect.objectContaining({ slug: "pro" }) });
    expect(thread.posts.map((p: { id: string }) => p.id)).toContain(world.memberReplyId);
  });

  test.each(Object.entries(MATRIX).map(([key, entry]) => [key, entry] as [string, Entry]))("%s", async (key, entry) => {
    const method = key.split(" ")[0]!;
    const run = async (actor: Actor) => {
      const req = entry.request(world, actor);
      const client = req.fresh ? await clientOf(actor) : clients[actor];
      const expected = entry.expect[actor];
      if (entry.invalid && refused(expected)) {
        const bad = req.form ? { path: req.path, form: entry.invalid as Record<string, string> } : { path: req.path, body: entry.invalid };
        await check(key, actor, expected, await send(client, method, bad), req.path, " (invalid body)");
      }
      await check(key, actor, expected, await send(client, method, req), req.path);
    };
    // Refusals first (side by side), so a permitted write cannot consume a target before a refusal on it is checked;
    // then the permitted actors one after the other, as their writes build on each other.
    await Promise.all(ACTORS.filter((a) => refused(entry.expect[a])).map(run));
    for (const actor of ACTORS.filter((a) => !refused(entry.expect[a]))) await run(actor);
    if (entry.endsEverySession) for (const actor of ACTORS) clients[actor] = await clientOf(actor);
  });

  afterAll(() => {
    console.info(
      `authorization matrix: ${Object.keys(MATRIX).length} route × method entries, ${ACTORS.length} actors, ${requests} requests`,
    );
  });
});
