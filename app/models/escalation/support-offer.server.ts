import { listPlans, presentPlan } from "~/models/insurance/plans.server";
import { listTiers, presentTier } from "~/models/escalation/tier.server";

/**
 * What paid support costs and promises, for anyone, signed in or not (docs/product.md §4.3, §4.11):
 * the active tiers and insurance plans, as members and the API see them (no Stripe ids).
 */
export async function publicSupportOffer() {
  const [tiers, plans] = await Promise.all([listTiers(), listPlans()]);
  return { tiers: tiers.map(presentTier), plans: plans.map(presentPlan) };
}
