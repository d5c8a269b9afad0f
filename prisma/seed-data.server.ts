import { db } from "~/services/db.server";
import { createUser } from "~/models/accounts/user.server";
import type { Role } from "~/models/types";
import { renderMarkdown } from "~/services/markdown.server";
import { getEnv } from "~/env.server";
import { REPUTATION } from "~/models/community/reputation.server";
import { enqueueSearchSync } from "../search/outbox.server";

// Demo content for a fresh install: seeded once (a Setting row remembers it),
// so a restart never duplicates or resets anything.
const SEED_KEY = "seed.demo.v1";
export const DEMO_PASSWORD = "demo-password-2026";

export const DEMO_USERS: { username: string; email: string; role: Role }[] = [
  { username: "ada", email: "member@backline.local", role: "member" },
  { username: "grace", email: "member2@backline.local", role: "member" },
  { username: "moira", email: "moderator@backline.local", role: "moderator" },
  { username: "maya", email: "maintainer@backline.local", role: "maintainer" },
  { username: "root", email: "admin@backline.local", role: "admin" },
];

// Placeholders as the desk fills them in (docs/product.md §5).
const DEMO_MACROS = [
  {
    name: "Thanks, on it",
    body: "Hi {{member.username}}, thanks for the details on {{thread.title}}. I am looking into it and will reply here.",
  },
  {
    name: "Need logs",
    body: "Hi {{member.username}}, could you attach the full error and the server log from the moment it fails? Remove any secrets first.",
  },
  {
    name: "Fixed in next release",
    body: "This is a defect on our side, fixed in the next release. Until then the workaround above keeps you going. — {{maintainer.username}}",
  },
];

const THREADS = [
  {
    category: "pro",
    author: "ada",
    title: "Webhook signature fails after upgrading to 3.2",
    tags: ["webhooks", "upgrade"],
    body: "Since upgrading to **3.2** every webhook is rejected with `invalid signature`.\n\n```ts\nconst event = verify(rawBody, header, secret);\n```\n\nI checked the secret twice. Anything else changed?",
    replies: [
      {
        author: "grace",
        body: "3.2 verifies the *raw* body. If a JSON body parser runs first the bytes change. Mount the webhook route before `express.json()`.",
        accepted: true,
      },
      { author: "ada", body: "That was it — the parser ran first. Thanks @grace!" },
    ],
  },
  {
    category: "pro",
    author: "grace",
    title: "How do I rotate API keys without downtime?",
    tags: ["security", "api"],
    body: "We need to rotate keys every 90 days. Is there a way to have two valid keys during the switch?",
    replies: [{ author: "ada", body: "Create the new key, deploy it everywhere, then revoke the old one. Both work until you revoke." }],
  },
  {
    category: "community",
    author: "ada",
    title: "Installation on Debian 12 fails with EACCES",
    tags: ["installation", "linux"],
    body: "`npm install -g backline-cli` fails with `EACCES: permission denied`. I would rather not use sudo.",
    replies: [
      { author: "grace", body: "Set a user prefix: `npm config set prefix ~/.local` and add `~/.local/bin` to your PATH.", accepted: true },
    ],
  },
  {
    category: "community",
    author: "grace",
    title: "Dark mode for the dashboard?",
    tags: ["feature-request"],
    body: "Is a dark theme planned for the community edition dashboard?",
    replies: [],
  },
];

export async function seedDemoData() {
  const done = await db.setting.findUnique({ where: { key: SEED_KEY } });
  if (done) return null;
  const origin = getEnv().publicUrl;

  await db.category.createMany({
    data: [
      {
        slug: "pro",
        name: "Backline Pro",
        position: 1,
        supported: true,
        description: "Questions about the paid edition. Any thread here can be escalated to paid support from the maintainer.",
      },
      {
        slug: "community",
        name: "Community Edition",
        position: 2,
        supported: false,
        description: "The free edition, supported by the community only.",
      },
    ],
    skipDuplicates: true,
  });
  await db.tier.createMany({
    data: [
      { slug: "standard", name: "Standard", responseHours: 48, priceCents: 4900, currency: "usd", position: 1 },
      { slug: "priority", name: "Priority", responseHours: 12, priceCents: 14900, currency: "usd", position: 2 },
    ],
    skipDuplicates: true,
  });

  // One insurance plan and a few canned replies, so a newcomer sees /support, /insurance and the desk's
  // macros filled in. Priced above the plans tests create, which pick the cheapest (plans[0]).
  await db.insurancePlan.create({ data: { name: "Business cover", priceCents: 99000, coverageCents: 150000, currency: "usd" } });
  await db.macro.createMany({ data: DEMO_MACROS, skipDuplicates: true });

  const users = new Map<string, string>();
  for (const u of DEMO_USERS) {
    const existing = await db.user.findUnique({ where: { email: u.email }, select: { id: true } });
    const id = existing?.id ?? (await createUser({ username: u.username, email: u.email, password: DEMO_PASSWORD }, u.role)).id;
    users.set(u.username, id);
  }
  await db.user.updateMany({ where: { id: { in: [...users.values()] } }, data: { trustLevel: 2 } });

  const categories = new Map((await db.category.findMany({ select: { id: true, slug: true } })).map((c) => [c.slug, c.id]));
  const render = (md: string) => renderMarkdown(md, { allowLinks: true, allowImages: true, siteOrigin: origin });
  let minutes = 60 * 24 * 3;
  for (const t of THREADS) {
    const at = () => new Date(Date.now() - (minutes -= 37) * 60_000);
    const created = at();
    const thread = await db.thread.create({
      data: {
        slug: t.title
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .replace(/^-|-$/g, "")
          .slice(0, 80),
        title: t.title,
        categoryId: categories.get(t.category)!,
        authorId: users.get(t.author)!,
        createdAt: created,
        lastPostAt: created,
        posts: { create: { number: 0, authorId: users.get(t.author)!, body: t.body, bodyHtml: render(t.body), createdAt: created } },
        tags: {
          create: t.tags.map((name) => ({
            tag: { connectOrCreate: { where: { name }, create: { name } } },
          })),
        },
      },
    });
    let number = 1;
    for (const r of t.replies) {
      const when = at();
      const post = await db.post.create({
        data: {
          threadId: thread.id,
          number: number++,
          authorId: users.get(r.author)!,
          body: r.body,
          bodyHtml: render(r.body),
          createdAt: when,
        },
      });
      await db.thread.update({
        where: { id: thread.id },
        data: { replyCount: { increment: 1 }, lastPostAt: when, ...("accepted" in r && r.accepted ? { acceptedPostId: post.id } : {}) },
      });
      if ("accepted" in r && r.accepted) {
        await db.user.update({ where: { id: users.get(r.author)! }, data: { reputation: { increment: REPUTATION.accepted } } });
      }
    }
  }
  for (const thread of await db.thread.findMany({ select: { id: true } })) await enqueueSearchSync(db, thread.id);
  for (const [slug, id] of categories) {
    const threadCount = await db.thread.count({ where: { categoryId: id } });
    const postCount = await db.post.count({ where: { thread: { categoryId: id } } });
    await db.category.update({ where: { id }, data: { threadCount, postCount } });
    void slug;
  }
  for (const tag of await db.tag.findMany({ select: { id: true, _count: { select: { threads: true } } } })) {
    await db.tag.update({ where: { id: tag.id }, data: { count: tag._count.threads } });
  }
  await db.setting.create({ data: { key: SEED_KEY, value: { at: new Date().toISOString() } } });
  return { users: DEMO_USERS.map((u) => ({ email: u.email, role: u.role })), password: DEMO_PASSWORD };
}
