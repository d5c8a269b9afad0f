import { Prisma } from "~/generated/prisma/client";
import { trustLevelFor } from "~/models/community/trust";
import type { Tx } from "~/models/types";

// Stack Overflow's weights: an accepted answer is worth more than one vote.
export const REPUTATION = { vote: 10, accepted: 15 } as const;

// A vote earns its post's author reputation only if the voter had taken part for a while (trust level 1,
// app/models/community/trust.ts) or is staff when casting it: otherwise five accounts made a minute earlier would lift
// a sixth to trust level 2 (docs/decisions/028). Decided once, at the vote, so the figure never moves later.
export const VOTE_COUNTS_FROM_LEVEL = 1;

export const voteCountsTowardReputation = (voter: { role: string; trustLevel: number }) =>
  voter.role !== "member" || voter.trustLevel >= VOTE_COUNTS_FROM_LEVEL;

// Reputation is derived, never incremented (docs/decisions/028):
// it is what the rows say now, so hiding, restoring, re-accepting or deleting and posting again cannot
// make it drift or pay twice. The stored column is a cache of computeReputation for reading pages fast.

/**
 * A member's reputation by the rules: each vote that counts (see above; never their own) on their posts
 * and the acceptance of their reply (never their own question's), counted only while visitors can see
 * the post and its thread.
 * A thread has one accepted answer, so an acceptance is paid at most once per thread.
 */
export async function computeReputation(tx: Pick<Tx, "$queryRaw">, userId: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ votes: bigint; accepted: bigint }[]>`
    select
      (select count(*) from "Vote" v join "Post" p on p."id" = v."postId" join "Thread" t on t."id" = p."threadId"
        where p."authorId" = ${userId} and v."countsTowardReputation" and v."userId" <> ${userId}
          and not p."hidden" and p."deletedAt" is null and not t."hidden" and t."deletedAt" is null) as votes,
      (select count(*) from "Thread" t join "Post" p on p."id" = t."acceptedPostId"
        where p."authorId" = ${userId} and t."authorId" <> ${userId} and not p."hidden" and p."deletedAt" is null
          and not t."hidden" and t."deletedAt" is null) as accepted`;
  return Number(row?.votes ?? 0) * REPUTATION.vote + Number(row?.accepted ?? 0) * REPUTATION.accepted;
}

/**
 * Stores the recomputed reputation of these members. Call it after the change that affects them, in
 * the same transaction, and last: users are locked after the thread and its posts, everywhere.
 * The rows are locked before the figures are read: under READ COMMITTED the computing statement then
 * sees everything committed by a transaction that held them before us, so two concurrent changes cannot
 * each store a figure that misses the other. NO KEY UPDATE, as an update takes: it does not wait for the
 * key-share locks that inserting a vote, post or notification takes on its user.
 */
export async function syncReputation(tx: Tx, userIds: Iterable<string>) {
  const ids = [...new Set(userIds)].sort();
  if (!ids.length) return;
  const rows = await tx.$queryRaw<{ id: string; reputation: number }[]>`
    select "id", "reputation" from "User" where "id" in (${Prisma.join(ids)}) order by "id" for no key update`;
  for (const row of rows) {
    const reputation = await computeReputation(tx, row.id);
    if (reputation === row.reputation) continue;
    await tx.user.update({ where: { id: row.id }, data: { reputation } });
    if (reputation > row.reputation) await refreshTrustLevel(tx, row.id);
  }
}

/** After a thread's visibility or acceptance changed: everyone who wrote in it may have gained or lost. */
export async function syncThreadReputation(tx: Tx, threadId: string) {
  const authors = await tx.post.findMany({ where: { threadId }, distinct: ["authorId"], select: { authorId: true } });
  await syncReputation(
    tx,
    authors.map((a) => a.authorId),
  );
}

/** Recomputes and stores the trust level; it only ever rises automatically. */
export async function refreshTrustLevel(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { createdAt: true, reputation: true, role: true, trustLevel: true },
  });
  if (!user) return;
  const postCount = await tx.post.count({ where: { authorId: userId, deletedAt: null } });
  const level = trustLevelFor({ ...user, postCount });
  if (level > user.trustLevel) await tx.user.update({ where: { id: userId }, data: { trustLevel: level } });
}
