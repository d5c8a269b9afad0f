// What a paid plan invoice buys (docs/decisions/037). A plan is sold as "price P
// a year for coverage C", recorded on the subscription at purchase; an invoice
// that pays the whole price credits C, one that pays part of it (a partial
// payment, a proration after a change made in Stripe) credits the same share of
// C, rounded down, and a $0 invoice credits nothing. Only the invoice that starts
// or renews the subscription opens a new period; any other adds to the current one.

const PERIOD_REASONS = new Set(["subscription_create", "subscription_cycle"]);

export type Sold = { priceCents: number; coverageCents: number };

export function coverageCredit(invoice: { amountPaid: number; billingReason?: string | null }, sold: Sold) {
  // Events without a billing reason come from the local test mode, which only sends purchases and renewals.
  const startsPeriod = invoice.billingReason ? PERIOD_REASONS.has(invoice.billingReason) : true;
  if (invoice.amountPaid <= 0 || sold.priceCents <= 0) return { cents: 0, startsPeriod };
  if (invoice.amountPaid >= sold.priceCents) return { cents: sold.coverageCents, startsPeriod };
  // In BigInt: a yearly price times a coverage amount can pass 2^53.
  const share = (BigInt(invoice.amountPaid) * BigInt(sold.coverageCents)) / BigInt(sold.priceCents);
  return { cents: Number(share), startsPeriod };
}
