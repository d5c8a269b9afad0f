import { afterAll, beforeAll, beforeEach } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { startFakeStripe, type FakeStripe } from "../mocks/stripe";
import { db } from "~/services/db.server";
import { renderMarkdown } from "~/services/markdown.server";
import { makeUser, type TestUser } from "./factories";

// What the paid-lane tests need, created straight in the database: people in
// every role, a supported and a community-only category, the two seeded tiers,
// and a thread with a question, a reply with a link and an accepted answer.

const render = (md: string) => renderMarkdown(md, { allowLinks: true, allowImages: false, siteOrigin: "http://localhost:3000" });

export async function supportWorld() {
  const roles = ["member", "member", "moderator", "maintainer", "admin"] as const;
  const [owner, other, moderator, maintainer, admin] = await Promise.all(roles.map((role) => makeUser({ role, trustLevel: 0 })));
  const suffix = Math.random().toString(36).slice(2, 8);
  const pro = await db.category.create({ data: { slug: `pro-${suffix}`, name: "Backline Pro", supported: true } });
  const community = await db.category.create({ data: { slug: `community-${suffix}`, name: "Community Edition", supported: false } });
  await db.tier.createMany({
    data: [
      { slug: "standard", name: "Standard", responseHours: 48, priceCents: 4900, currency: "usd", position: 1 },
      { slug: "priority", name: "Priority", responseHours: 12, priceCents: 14900, currency: "usd", position: 2 },
    ],
    skipDuplicates: true,
  });
  const tiers = Object.fromEntries((await db.tier.findMany()).map((t) => [t.slug, t]));
  const thread = await makeThread(pro.id, owner, other, "Webhook signature fails after upgrading to 3.2");
  const communityThread = await makeThread(community.id, owner, other, "Installation on Debian fails with EACCES");
  return { owner, other, moderator, maintainer, admin, pro, community, tiers, thread, communityThread };
}

export async function makeThread(categoryId: string, author: TestUser, helper: TestUser, title: string) {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 12, minutes));
  const thread = await db.thread.create({
    data: {
      slug: title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, ""),
      title,
      categoryId,
      authorId: author.id,
      createdAt: at(0),
      posts: {
        create: [
          {
            number: 0,
            authorId: author.id,
            body: "Every webhook is rejected with `invalid signature`.",
            bodyHtml: render("Every webhook is rejected with `invalid signature`."),
            createdAt: at(0),
          },
          {
            number: 1,
            authorId: helper.id,
            body: "See [the upgrade notes](https://docs.example.com/upgrade?a=1&b=2).",
            bodyHtml: render("See [the upgrade notes](https://docs.example.com/upgrade?a=1&b=2)."),
            createdAt: at(5),
          },
          {
            number: 2,
            authorId: helper.id,
            body: "Mount the webhook route before the JSON parser.",
            bodyHtml: render("Mount the webhook route before the JSON parser."),
            createdAt: at(9),
          },
          {
            number: 3,
            authorId: helper.id,
            body: "A post a moderator hid.",
            bodyHtml: render("A post a moderator hid."),
            hidden: true,
            createdAt: at(12),
          },
        ],
      },
    },
    include: { posts: { orderBy: { number: "asc" } } },
  });
  await db.thread.update({ where: { id: thread.id }, data: { acceptedPostId: thread.posts[2]!.id, replyCount: 3 } });
  return thread;
}

export const gate = (overrides: Record<string, unknown> = {}) => ({
  tier: "standard",
  productVersion: "3.2.1",
  environment: "Debian 12, Node 20.19, PostgreSQL 16",
  stepsToReproduce: "1. Upgrade to 3.2.1\n2. Send a signed webhook\n3. It is rejected with invalid signature",
  alreadyTried: "Rotated the secret and mounted the route before the JSON parser.",
  acceptScope: true,
  ...overrides,
});

/** Points the app's Stripe SDK at a fake Stripe server (STRIPE_API_URL), as production config would at Stripe. */
export const STRIPE_TEST_ENV = { STRIPE_SECRET_KEY: "sk_test_backline_fake", STRIPE_WEBHOOK_SECRET: "whsec_backline_test_secret" };

/**
 * The Stripe SDK pointed at a fresh local fake of the Stripe API for this test
 * file, with a supported thread and its people; the fake's log is cleared before each test.
 */
export function useFakeStripeWorld() {
  const ctx = {} as { stripe: FakeStripe; world: Awaited<ReturnType<typeof supportWorld>> };
  beforeAll(async () => {
    ctx.stripe = await startFakeStripe();
    Object.assign(process.env, STRIPE_TEST_ENV, { STRIPE_API_URL: ctx.stripe.url });
    resetEnvForTests();
    ctx.world = await supportWorld();
  });
  afterAll(async () => {
    for (const key of [...Object.keys(STRIPE_TEST_ENV), "STRIPE_API_URL"]) delete process.env[key];
    resetEnvForTests();
    await ctx.stripe?.stop();
  });
  beforeEach(() => ctx.stripe.reset());
  return ctx;
}
