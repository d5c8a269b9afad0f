import { db } from "~/services/db.server";

// A checkout the member declined, cancelled or let expire leaves its escalation
// behind with the four answers (docs/product.md §4.2): the gate shows them again
// so nobody types a bug report twice.

/** The answers of this member's latest escalation on this thread that did not become a ticket, or null. */
export async function gateDraft(userId: string, threadId: string, escalationId: string | null) {
  const e = await db.escalation.findFirst({
    where: { userId, threadId, ticket: null, ...(escalationId ? { id: escalationId } : {}) },
    orderBy: { createdAt: "desc" },
    select: {
      productVersion: true,
      environment: true,
      stepsToReproduce: true,
      alreadyTried: true,
      provider: true,
      tier: { select: { slug: true } },
    },
  });
  if (!e) return null;
  return {
    tier: e.tier.slug,
    payWith: e.provider === "insurance" ? "coverage" : "card",
    productVersion: e.productVersion,
    environment: e.environment,
    stepsToReproduce: e.stepsToReproduce,
    alreadyTried: e.alreadyTried,
  } satisfies Record<string, string>;
}
