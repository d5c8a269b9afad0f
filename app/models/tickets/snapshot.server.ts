import { getEnv } from "~/env.server";
import { tagsInTypedOrder } from "~/models/community/thread-tags";
import { db } from "~/services/db.server";
import { SCOPE_STATEMENT } from "~/models/escalation/gate";
import type { escalationForSession } from "~/models/payments/checkout-fulfilment.server";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { threadUrl } from "~/utils/urls";
import { notRemovedWhere } from "~/models/community/visibility.server";

type EscalationForSnapshot = NonNullable<Awaited<ReturnType<typeof escalationForSession>>>;

const HREF = /<a\s[^>]*?href="([^"]+)"/gi;
const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");

/** Every link in the thread, absolute, once each, in order of appearance. */
function linksOf(htmls: string[], origin: string): string[] {
  const links = new Set<string>();
  for (const html of htmls) {
    for (const m of html.matchAll(HREF)) {
      try {
        const url = new URL(decodeEntities(m[1]!), origin);
        // The sanitizer already dropped dangerous schemes; this list is the second lock.
        if (url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:") links.add(url.toString());
      } catch {
        // Not a URL; nothing to keep.
      }
    }
  }
  return [...links];
}

/**
 * The frozen copy of the whole public thread at payment time, plus the gate
 * answers and the payer. Later edits to the thread never change it. Posts a
 * moderator hid or deleted are public no longer and are left out.
 */
export async function buildSnapshot(escalation: EscalationForSnapshot, now: Date): Promise<TicketSnapshot> {
  const origin = getEnv().publicUrl;
  const thread = await db.thread.findUniqueOrThrow({
    where: { id: escalation.threadId },
    select: {
      id: true,
      slug: true,
      title: true,
      createdAt: true,
      acceptedPostId: true,
      author: { select: { username: true } },
      category: { select: { slug: true, name: true } },
      tags: tagsInTypedOrder,
    },
  });
  const posts = await db.post.findMany({
    where: { threadId: thread.id, ...notRemovedWhere },
    orderBy: { number: "asc" },
    select: { id: true, number: true, body: true, bodyHtml: true, createdAt: true, editedAt: true, author: { select: { username: true } } },
  });
  const acceptedPostId = posts.some((p) => p.id === thread.acceptedPostId) ? thread.acceptedPostId : null;
  const url = `${origin}${threadUrl(thread)}`;
  return {
    version: 1,
    takenAt: now.toISOString(),
    thread: {
      id: thread.id,
      title: thread.title,
      url,
      category: thread.category,
      tags: thread.tags.map((t) => t.tag.name),
      author: thread.author.username,
      createdAt: thread.createdAt.toISOString(),
    },
    posts: posts.map((p) => ({
      id: p.id,
      number: p.number,
      author: p.author.username,
      createdAt: p.createdAt.toISOString(),
      editedAt: p.editedAt?.toISOString() ?? null,
      body: p.body,
      bodyHtml: p.bodyHtml,
      accepted: p.id === acceptedPostId,
    })),
    acceptedPostId,
    links: [
      url,
      ...linksOf(
        posts.map((p) => p.bodyHtml),
        origin,
      ).filter((l) => l !== url),
    ],
    gate: {
      productVersion: escalation.productVersion,
      environment: escalation.environment,
      stepsToReproduce: escalation.stepsToReproduce,
      alreadyTried: escalation.alreadyTried,
      scopeAccepted: escalation.acceptScope,
      scopeStatement: SCOPE_STATEMENT,
    },
    payer: { id: escalation.user.id, username: escalation.user.username, email: escalation.user.email },
    tier: {
      slug: escalation.tier.slug,
      name: escalation.tier.name,
      responseHours: escalation.tier.responseHours,
      priceCents: escalation.amountCents,
      currency: escalation.currency,
    },
  };
}
