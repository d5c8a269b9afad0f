import type { Prisma } from "~/generated/prisma/client";
import { trustLevelFor } from "./trust";

type Tx = Prisma.TransactionClient;

// Stack Overflow's weights: an accepted answer is worth more than one vote.
export const REPUTATION = { vote: 10, accepted: 15 } as const;

export async function adjustReputation(tx: Tx, userId: string, delta: number) {
  await tx.user.update({ where: { id: userId }, data: { reputation: { increment: delta } } });
  await refreshTrustLevel(tx, userId);
}

/** Recomputes and stores the trust level; it only ever rises automatically. */
export async function refreshTrustLevel(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { createdAt: true, reputation: true, role: true, trustLevel: true } });
  if (!user) return;
  const postCount = await tx.post.count({ where: { authorId: userId, deletedAt: null } });
  const level = trustLevelFor({ ...user, postCount });
  if (level > user.trustLevel) await tx.user.update({ where: { id: userId }, data: { trustLevel: level } });
}
