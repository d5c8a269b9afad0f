import { PrismaPg } from "@prisma/adapter-pg";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "~/generated/prisma/client";
import { createApiToken } from "~/models/accounts/api-token.server";
import { createReply } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { loader as rootLoader } from "~/root";
import { loader as homeLoader } from "~/routes/_index";
import { loader as categoryLoader } from "~/routes/c.$slug";
import { loader as threadLoader } from "~/routes/t.$id.($slug)/route";
import { accounts } from "~/server/accounts.server";
import { threadViewerSlot } from "~/server/viewer-payload.server";
import { connectAccounts } from "~/services/auth.server";
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
    const own = (await createApiToken(member.id, { name: "own state" })).token;
    // Under one content version, as the page cache passes it: the intake is then looked up once for every member.
    const slot = (t: { id: string; slug: string }) => () =>
      threadViewerSlot(request(`/t/${t.id}/${t.slug}`, own), t.id, "test-nonce", "content-version-1");
    // The first use of a token records it; count the steady state.
    expect(await slot(small)()).toContain('"username"');
    const forSmall = await count(slot(small));
    const forLarge = await count(slot(large));
    expect(forLarge).toBe(forSmall);
    // The viewer (token with its user), the thread with its category, latest ticket, the member's own removed posts and
    // votes on the page, and the member with their own ticket and unread count: 3 statements (relations load in their
    // parent's statement), against 22 for the page rendered whole; the intake (capacity limit, absences, held tickets,
    // tiers) is reused while the content version stands.
    expect(forLarge).toBeLessThanOrEqual(3);
    // Without a version (no page cache) the intake is looked up every time.
    expect(await count(() => threadViewerSlot(request(`/t/${large.id}/${large.slug}`, own), large.id, "test-nonce", null))).toBe(
      forLarge + 4,
    );
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
