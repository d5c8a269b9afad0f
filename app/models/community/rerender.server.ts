import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { RENDERER_VERSION } from "~/services/markdown.server";
import { enqueueSearchSync } from "#search/outbox.server";
import { rerenderForAuthor } from "~/models/community/content-policy.server";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { renderTicketMarkdown } from "~/models/tickets/ticket.server";

// Stored HTML is rendered on write (docs/decisions/006), so a renderer fix only
// reaches old posts by rendering them again from their Markdown. That happens
// once per RENDERER_VERSION, as a chain of background jobs that any app server
// or worker may run and that resumes where it stopped (docs/decisions/027).

export const RERENDER_QUEUE = "markdown-rerender";
const VERSION_KEY = "markdown.rendererVersion";
const BATCH = 100;

const STAGES = ["posts", "messages", "snapshots"] as const;
type Stage = (typeof STAGES)[number];
export type RerenderStep = { version: number; stage: Stage; after: string | null };
type Counts = { changed: number; seen: number };

async function storedVersion(): Promise<number> {
  const row = await db.setting.findUnique({ where: { key: VERSION_KEY } });
  return typeof row?.value === "number" ? row.value : 1;
}

const dedupeKey = (version: number) => `renderer:v${version}`;

/** At start: queues the re-render when stored HTML is older than the renderer, unless one is under way. */
export async function scheduleRerender() {
  if ((await storedVersion()) >= RENDERER_VERSION) return;
  const underWay = await db.job.findFirst({
    where: { queue: RERENDER_QUEUE, dedupeKey: dedupeKey(RENDERER_VERSION), state: { in: ["pending", "running"] } },
    select: { id: true },
  });
  if (underWay) return;
  const first: RerenderStep = { version: RENDERER_VERSION, stage: "posts", after: null };
  await enqueue(db, RERENDER_QUEUE, first, { dedupeKey: dedupeKey(RENDERER_VERSION) });
}

async function rerenderPosts(after: string | null): Promise<Counts & { last: string | null }> {
  const rows = await db.post.findMany({
    where: after ? { id: { gt: after } } : {},
    orderBy: { id: "asc" },
    take: BATCH,
    select: { id: true, threadId: true, body: true, bodyHtml: true, author: { select: { trustLevel: true, role: true } } },
  });
  const changed = rows.map((p) => ({ ...p, html: rerenderForAuthor(p.author, p.body, p.bodyHtml) })).filter((p) => p.html !== p.bodyHtml);
  if (changed.length) {
    await db.$transaction(async (tx) => {
      for (const p of changed) {
        // An edit since the read wins: only the body that was rendered gets this HTML.
        const { count } = await tx.post.updateMany({ where: { id: p.id, body: p.body }, data: { bodyHtml: p.html } });
        if (count) await enqueueSearchSync(tx, p.threadId);
      }
    });
  }
  return { changed: changed.length, seen: rows.length, last: rows.at(-1)?.id ?? null };
}

async function rerenderMessages(after: string | null): Promise<Counts & { last: string | null }> {
  const rows = await db.ticketMessage.findMany({
    where: after ? { id: { gt: after } } : {},
    orderBy: { id: "asc" },
    take: BATCH,
    select: { id: true, body: true, bodyHtml: true },
  });
  const changed = rows.map((m) => ({ ...m, html: renderTicketMarkdown(m.body) })).filter((m) => m.html !== m.bodyHtml);
  for (const m of changed) await db.ticketMessage.updateMany({ where: { id: m.id, body: m.body }, data: { bodyHtml: m.html } });
  return { changed: changed.length, seen: rows.length, last: rows.at(-1)?.id ?? null };
}

async function rerenderSnapshots(after: string | null): Promise<Counts & { last: string | null }> {
  const rows = await db.ticket.findMany({
    where: after ? { id: { gt: after } } : {},
    orderBy: { id: "asc" },
    take: BATCH,
    select: { id: true, snapshot: true },
  });
  const names = new Set(rows.flatMap((t) => ((t.snapshot as unknown as TicketSnapshot).posts ?? []).map((p) => p.author)));
  const authors = new Map(
    (await db.user.findMany({ where: { username: { in: [...names] } }, select: { username: true, trustLevel: true, role: true } })).map(
      (u) => [u.username, u],
    ),
  );
  let changed = 0;
  for (const t of rows) {
    const snapshot = t.snapshot as unknown as TicketSnapshot;
    let differs = false;
    // The snapshot stays the thread as it was at payment time: same Markdown, only rendered again.
    const posts = (snapshot.posts ?? []).map((p) => {
      const bodyHtml = rerenderForAuthor(authors.get(p.author) ?? null, p.body, p.bodyHtml);
      if (bodyHtml !== p.bodyHtml) differs = true;
      return { ...p, bodyHtml };
    });
    if (!differs) continue;
    changed++;
    await db.ticket.update({ where: { id: t.id }, data: { snapshot: { ...snapshot, posts } as unknown as Prisma.InputJsonValue } });
  }
  return { changed, seen: rows.length, last: rows.at(-1)?.id ?? null };
}

const STEP: Record<Stage, (after: string | null) => Promise<Counts & { last: string | null }>> = {
  posts: rerenderPosts,
  messages: rerenderMessages,
  snapshots: rerenderSnapshots,
};

/** One batch; the next step, or null once every stored render is current. */
export async function rerenderStep(step: RerenderStep): Promise<RerenderStep | null> {
  const { changed, seen, last } = await STEP[step.stage](step.after);
  if (changed) logger.info(`markdown re-render v${step.version}: ${changed} of ${seen} ${step.stage} rendered again`);
  if (seen === BATCH) return { ...step, after: last };
  const next = STAGES[STAGES.indexOf(step.stage) + 1];
  if (next) return { ...step, stage: next, after: null };
  await db.setting.upsert({
    where: { key: VERSION_KEY },
    create: { key: VERSION_KEY, value: step.version },
    update: { value: step.version },
  });
  return null;
}

/** Everything at once (the CLI); returns when all stored renders are current. */
export async function rerenderAll(): Promise<void> {
  let step: RerenderStep | null = { version: RENDERER_VERSION, stage: "posts", after: null };
  while (step) step = await rerenderStep(step);
}

/** Queue handler: each batch queues the next one, so a restart resumes where it stopped. */
export async function runRerenderJob(jobs: JobRow[]) {
  for (const job of jobs) {
    const step = job.payload as RerenderStep;
    // A job of an older renderer has nothing left to do: a newer one re-renders everything.
    if (step.version !== RENDERER_VERSION) continue;
    const next = await rerenderStep(step);
    if (next) await enqueue(db, RERENDER_QUEUE, next, { dedupeKey: dedupeKey(next.version) });
  }
}
