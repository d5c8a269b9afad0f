import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { linkedPriceCheck } from "~/models/escalation/linked-price.server";
import { requirePermission } from "~/models/permissions";
import { centsField, checkboxField, currencyField, displayNameField, STRIPE_MINIMUM, stripePriceIdField } from "~/utils/schema-fields";
import type { Actor } from "~/models/types";

// The insurance plans an admin sells (docs/product.md §4.11): name, yearly price, the coverage it buys.

export const planInputSchema = z
  .object({
    name: displayNameField,
    priceCents: centsField("the yearly price", STRIPE_MINIMUM, 100_000_000),
    coverageCents: centsField("the coverage", { cents: 100, message: "At least 1.00 of coverage." }, 1_000_000_000),
    currency: currencyField,
    stripePriceId: stripePriceIdField,
    active: checkboxField,
  })
  .meta({ id: "InsurancePlanInput" });

const planSelect = {
  id: true,
  name: true,
  priceCents: true,
  coverageCents: true,
  currency: true,
  stripePriceId: true,
  active: true,
  createdAt: true,
} satisfies Prisma.InsurancePlanSelect;

export const presentPlan = (p: { id: string; name: string; priceCents: number; coverageCents: number; currency: string }) => ({
  id: p.id,
  name: p.name,
  priceCents: p.priceCents,
  coverageCents: p.coverageCents,
  currency: p.currency,
});

export const listPlans = (opts: { includeInactive?: boolean } = {}) =>
  db.insurancePlan.findMany({ where: opts.includeInactive ? {} : { active: true }, orderBy: [{ priceCents: "asc" }], select: planSelect });

export async function createPlan(actor: Actor, input: unknown) {
  requirePermission(actor, "insurance:manage");
  const data = parseOrThrow(planInputSchema, input);
  await linkedPriceCheck(data, "yearly", "this plan");
  const plan = await db.insurancePlan.create({ data, select: planSelect });
  await db.auditLog.create({
    data: { actorId: actor.id, action: "insurance_plan.create", targetType: "insurance_plan", targetId: plan.id, data },
  });
  return plan;
}

/** Price and coverage changes apply to new subscriptions; existing ones renew on what they were sold (docs/decisions/037). */
export async function updatePlan(actor: Actor, id: string, input: unknown) {
  requirePermission(actor, "insurance:manage");
  const data = parseOrThrow(planInputSchema, input);
  await linkedPriceCheck(data, "yearly", "this plan");
  const { count } = await db.insurancePlan.updateMany({ where: { id }, data });
  if (!count) throw notFound("No such plan.");
  await db.auditLog.create({
    data: { actorId: actor.id, action: "insurance_plan.update", targetType: "insurance_plan", targetId: id, data },
  });
  return db.insurancePlan.findUniqueOrThrow({ where: { id }, select: planSelect });
}
