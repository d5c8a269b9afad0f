import type Stripe from "stripe";

// customer.subscription.updated in every API version's shape (docs/decisions/037):
// webhooks use the endpoint's version, not the SDK's. From 2025-03-31.basil on the
// period lives on the items (items.data[].current_period_end); before it on the
// subscription itself (current_period_end).

type LegacySubscription = { current_period_end?: number | null };

const toDate = (seconds: number | null | undefined) => (typeof seconds === "number" ? new Date(seconds * 1000) : null);

/** What Backline reads of a subscription: its status, whether it renews and until when it is paid for. */
export function subscriptionState(sub: Stripe.Subscription) {
  const itemEnds = (sub.items?.data ?? []).map((i) => i.current_period_end).filter((e): e is number => typeof e === "number");
  const periodEnd = itemEnds.length ? Math.max(...itemEnds) : ((sub as unknown as LegacySubscription).current_period_end ?? null);
  // A Dashboard "cancel at" date ends the plan then without renewing, like cancel_at_period_end but possibly sooner.
  const cancelAt = sub.cancel_at ?? null;
  const end = cancelAt !== null && (periodEnd === null || cancelAt < periodEnd) ? cancelAt : periodEnd;
  return {
    status: sub.status as string,
    cancelAtPeriodEnd: sub.cancel_at_period_end === true || cancelAt !== null,
    currentPeriodEnd: toDate(end),
    insuranceId: sub.metadata?.insuranceId ?? null,
  };
}
