import { PrismaPg } from "@prisma/adapter-pg";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "~/generated/prisma/client";
import { createApiToken } from "~/models/accounts/api-token.server";
import { createAuthSession } from "~/models/accounts/auth-session.server";
import { createReply } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { loader as rootLoader } from "~/root";
import { loader as homeLoader } from "~/routes/_index";
import { loader as categoryLoader } from "~/routes/c.$slug";
import { loader as threadLoader } from "~/routes/t.$id.($slug)/route";
import { accounts } from "~/server/accounts.server";
import { threadViewerSlot } from "~/server/viewer-payload.server";
import { connectAccounts } from "~/services/auth.server";
import { sessionStorage } from "~/services/session.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

// A page costs a fixed number of database queries, however many posts or
// threads it shows (no N+1). Counted from Prisma's query events while the
// page's loaders run, exactly as Remix calls them for a document request.

const database = useTestDatabase();
const queries: string[] = [];
// The loaders run without the app's entry, which connects sign-in to the accounts when it loads.
connectAccounts(accounts);

beforeAll(() => {
  // The app's client, with query events on; db.server hands this one out.
  const client = new PrismaClient({
    adapter: new PrismaPg({ connectionString: database.url, max: 1 }),
    log: [{ emit: "event", level: "query" }],
  });
  client.$on("query", (e) => queries.push(e.query));
  (globalThis as { __backlineDb?: PrismaClient }).__backlineDb = client;
});

async function count(run: () => Promise<unknown>) {
  queries.length = 0;
  await run();
  return queries.length;
}

const request = (path: string, token?: string) =>
  new Request(`http://localhost${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

/** Root loader and route loader, as for a full page load. */
const page = (path: string, loader: (args: LoaderFunctionArgs) => Promise<unknown>, params: Record<string, string>, token?: string) => () =>
  Promise.all([
    rootLoader({ request: request(path, token), params: {}, context: {} } as never),
    loader({ request: request(path, token), params, context: {} }),
  ]);

let small: { id: string; slug: string; postId: string };
let large: { id: string; slug: string; postId: string };
let token: string;
let busy: string;
let quiet: string;

beforeAll(async () => {
  const cat = await makeCategory();
  const other = await makeCategory();
  busy = cat.slug;
  quiet = other.slug;
  const author = await makeUser({ role: "moderator" });
  const helpers = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser({ role: "moderator" })));
  const body = "How do I keep the webhook signature valid behind the proxy?";
  small = await createThread(author, { category: cat.slug, title: "A short thread with two replies", body, tags: "webhooks" });
  large = await createThread(author, { category: cat.slug, title: "A long thread with fifty posts", body, tags: "webhooks, proxy, nginx" });
  for (let i = 0; i < 2; i++) await createReply(helpers[i]!, small.id, { body: `Reply number ${i} with a suggestion.` });
  for (let i = 0; i < 49; i++) await createReply(helpers[i % 5]!, large.id, { body: `Reply number ${i} with a suggestion.` });
  for (let i = 0; i < 40; i++) {
    await createThread(helpers[i % 5]!, { category: cat.slug, title: `Another question number ${i}`, body, tags: `tag${i % 7}, webhooks` });
  }
  await createThread(author, { category: other.slug, title: "The only question here", body });
  token = (await createApiToken(helpers[0]!.id, { name: "count" })).token;
  await db.vote.createMany({ data: helpers.slice(1).map((h) => ({ postId: large.postId, userId: h.id })) });
});

describe("queries per page", () => {
  it("a thread page costs the same few queries for 3 posts and for 50, anonymous or signed in", async () => {
    const anonSmall = await count(page(`/t/${small.id}/${small.slug}`, threadLoader, { id: small.id, slug: small.slug }));
    const anonLarge = await count(page(`/t/${large.id}/${large.slug}`, threadLoader, { id: large.id, slug: large.slug }));
    const anonPage3 = await count(page(`/t/${large.id}/${large.slug}?page=3`, threadLoader, { id: large.id, slug: large.slug }));
    expect(anonLarge).toBe(anonSmall);
    expect(anonPage3).toBe(anonSmall);
    // Prisma loads each relation with one query of its own (category, author, tags, accepted
    // answer, posts' authors…), and the support stub reads its own (with the latest request's state, so a public
    // thread says what became of it): 13 today, whatever the size.
    expect(anonLarge).toBeLessThanOrEqual(13);

    // The first use of a token records it; count the steady state.
    await count(page(`/t/${small.id}/${small.slug}`, threadLoader, { id: small.id, slug: small.slug }, token));
    const userSmall = await count(page(`/t/${small.id}/${small.slug}`, threadLoader, { id: small.id, slug: small.slug }, token));
    const userLarge = await count(page(`/t/${large.id}/${large.slug}`, threadLoader, { id: large.id, slug: large.slug }, token));
    expect(userLarge).toBe(userSmall);
    // The page rendered whole for a member: also their votes, own ticket and intake (issue 19).
    expect(userLarge, "queries for a member's whole thread page").toBeLessThanOrEqual(22);
  });

  it("a member's own state on the shared thread page costs a few queries, for 3 posts and for 50 (ADR 042)", async () => {
    const member = await makeUser();
    // The slot is only ever filled for a browser's session (an Authorization header gets the page rendered whole).
    const session = await sessionStorage().getSession();
    session.set("sessionId", (await createAuthSession(member.id)).id);
    const cookie = (await sessionStorage().commitSession(session)).split(";")[0]!;
    const slotFor = (t: { id: string; slug: string }, version: string | null) => () =>
      threadViewerSlot(new Request(`http://localhost/t/${t.id}/${t.slug}`, { headers: { Cookie: cookie } }), t.id, "test-nonce", version);
    // Under one content version, as the page cache passes it: what every member shares (the thread, its category and
    // latest ticket, the page's posts, the intake) is read once, by the first member.
    expect(await slotFor(small, "content-version-1")()).toContain('"username"');
    expect(await slotFor(large, "content-version-1")()).toContain('"username"');
    const forSmall = await count(slotFor(small, "content-version-1"));
    const forLarge = await count(slotFor(large, "content-version-1"));
    expect(forLarge).toBe(forSmall);
    // Then one statement: the session with its member, their votes on the page, their own ticket and unread count
    // (relations load in their parent's statement), against 22 for the page rendered whole.
    expect(forLarge).toBe(1);
    // Without a version (no page cache) the shared part is read every time: the thread (1) and the intake (4).
    expect(await count(slotFor(large, null))).toBe(forLarge + 5);
  });

  it("a category page and the home page cost the same for one thread and for a full page of them", async () => {
    const full = await count(page(`/c/${busy}`, categoryLoader, { slug: busy }));
    const one = await count(page(`/c/${quiet}`, categoryLoader, { slug: quiet }));
    expect(full).toBe(one);
    expect(full).toBeLessThanOrEqual(8);

    const home = await count(() => Promise.all([rootLoader({ request: request("/"), params: {}, context: {} } as never), homeLoader()]));
    expect(home).toBeLessThanOrEqual(8);
  });
});
