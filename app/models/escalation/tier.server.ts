import { z } from "zod";
import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { badRequest, conflict, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import {
  centsField,
  checkboxField,
  currencyField,
  displayNameField,
  positionField,
  slugField,
  STRIPE_MINIMUM,
  stripePriceIdField,
} from "~/utils/schema-fields";
import { linkedPriceCheck } from "~/models/escalation/linked-price.server";

// A card authorisation lasts about seven days (docs/decisions/005): a promise
// longer than five days could outlive the hold it is paid with.
export const MAX_RESPONSE_HOURS = 120;

export const tierSelect = {
  id: true,
  slug: true,
  name: true,
  responseHours: true,
  priceCents: true,
  currency: true,
  stripePriceId: true,
  active: true,
  position: true,
} satisfies Prisma.TierSelect;

export type TierRow = Prisma.TierGetPayload<{ select: typeof tierSelect }>;

export const tierInputSchema = z
  .object({
    slug: slugField,
    name: displayNameField,
    responseHours: z.coerce
      .number({ error: "Enter a whole number of hours." })
      .int("Enter a whole number of hours.")
      .min(1, "At least 1 hour.")
      .max(MAX_RESPONSE_HOURS, `At most ${MAX_RESPONSE_HOURS} hours: a card authorisation does not last much longer.`),
    priceCents: centsField("the price", STRIPE_MINIMUM, 10_000_000),
    currency: currencyField,
    stripePriceId: stripePriceIdField,
    active: checkboxField,
    position: positionField,
  })
  .meta({ id: "TierInput" });

/** What members and the API see of a tier. */
export const presentTier = (t: Pick<TierRow, "id" | "slug" | "name" | "responseHours" | "priceCents" | "currency">) => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  responseHours: t.responseHours,
  priceCents: t.priceCents,
  currency: t.currency,
});

export const listTiers = (opts: { includeInactive?: boolean } = {}) =>
  db.tier.findMany({
    where: opts.includeInactive ? {} : { active: true },
    orderBy: [{ position: "asc" }, { priceCents: "asc" }],
    select: tierSelect,
  });

/** An active tier by id or slug, else a 400 on the `tier` field. */
export async function findActiveTier(idOrSlug: string): Promise<TierRow> {
  const tier = await db.tier.findFirst({ where: { OR: [{ id: idOrSlug }, { slug: idOrSlug }], active: true }, select: tierSelect });
  if (!tier) throw badRequest("Choose one of the support tiers.", { tier: "Choose one of the support tiers." });
  return tier;
}

async function audit(actorId: string, action: string, targetId: string, data: Prisma.InputJsonValue) {
  await db.auditLog.create({ data: { actorId, action, targetType: "tier", targetId, data } });
}

export async function createTier(actor: { id: string }, input: unknown) {
  const data = parseOrThrow(tierInputSchema, input);
  await linkedPriceCheck(data, "one_time", "this tier");
  try {
    const tier = await db.tier.create({ data, select: tierSelect });
    await audit(actor.id, "tier.create", tier.id, data);
    return tier;
  } catch (error) {
    throw duplicateSlug(error);
  }
}

export async function updateTier(actor: { id: string }, id: string, input: unknown) {
  const data = parseOrThrow(tierInputSchema, input);
  await linkedPriceCheck(data, "one_time", "this tier");
  try {
    // Escalations keep the price they were quoted, so editing a tier never changes a checkout in flight.
    const tier = await db.tier.update({ where: { id }, data, select: tierSelect });
    await audit(actor.id, "tier.update", id, data);
    return tier;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") throw notFound("No such tier.");
    throw duplicateSlug(error);
  }
}

function duplicateSlug(error: unknown) {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    return conflict("Another tier already uses this slug.", { slug: "Another tier already uses this slug." });
  }
  return error;
}
