import type { Tx } from "~/models/types";
// Support insurance coverage is a ledger (docs/decisions/016): the balance is
// always the SUM of its entries, never a stored number that could drift. Every
// entry that answers to an outside fact (an invoice, an escalation) carries a
// unique reference, so a replay writes nothing twice.

export const ENTRY_KINDS = ["credit", "debit", "refund", "lapse"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export async function balanceOf(tx: Tx, subscriptionId: string): Promise<number> {
  const sum = await tx.coverageEntry.aggregate({ where: { subscriptionId }, _sum: { amountCents: true } });
  return sum._sum.amountCents ?? 0;
}

/** Adds an entry unless one with the same reference exists; returns whether it was written. */
export async function addEntry(
  tx: Tx,
  entry: { subscriptionId: string; amountCents: number; kind: EntryKind; reference: string; escalationId?: string | null },
): Promise<boolean> {
  const { count } = await tx.coverageEntry.createMany({
    data: [{ ...entry, escalationId: entry.escalationId ?? null }],
    skipDuplicates: true,
  });
  return count === 1;
}

/**
 * Takes the subscription's row lock for the rest of the transaction: two
 * escalations drawing on one balance then run one after the other, and the
 * second sees the first one's debit.
 */
export async function lockSubscription(tx: Tx, subscriptionId: string) {
  await tx.$queryRaw`select id from "InsuranceSubscription" where id = ${subscriptionId} for update`;
}
