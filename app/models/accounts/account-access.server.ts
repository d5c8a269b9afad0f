import { z } from "zod";
import { db } from "~/services/db.server";
import { parseOrThrow } from "~/utils/validation";
import { hashPassword, passwordSchema } from "~/models/accounts/user.server";
import type { Tx } from "~/models/types";

// Recovering an account must leave whoever else got in with nothing: every
// way in that is not the owner's password (docs/decisions/026). All of it in the
// caller's transaction, so no request can pass between two of the steps.

/**
 * Serialises changes to one account's credentials: two resets (or a reset and
 * a sign-out everywhere) sent at once run one after the other, and the second
 * sees what the first revoked.
 */
export async function lockAccount(tx: Tx, userId: string) {
  await tx.$queryRaw`select "id" from "User" where "id" = ${userId} for update`;
}

/** Ends every session (except `keepSessionId`), every API token and every reset link not yet used. */
export async function revokeAccountAccess(tx: Tx, userId: string, opts: { keepSessionId?: string } = {}) {
  const now = new Date();
  await tx.session.deleteMany({ where: { userId, ...(opts.keepSessionId ? { id: { not: opts.keepSessionId } } : {}) } });
  await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  // Expired rather than deleted: an old link then reads as expired, and the mail trail stays.
  await tx.passwordReset.updateMany({ where: { userId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
}

/** "Sign out everywhere": the owner's own devices too. */
export async function revokeAllAccess(userId: string) {
  await db.$transaction(async (tx) => {
    await lockAccount(tx, userId);
    await revokeAccountAccess(tx, userId);
  });
}

/**
 * A password set by its owner while signed in (no page offers it yet): the
 * browser that set it stays signed in, everything else ends as after a reset.
 */
export async function setPassword(userId: string, password: string, opts: { keepSessionId?: string } = {}) {
  const parsed = parseOrThrow(z.object({ password: passwordSchema }), { password });
  const passwordHash = await hashPassword(parsed.password);
  await db.$transaction(async (tx) => {
    await lockAccount(tx, userId);
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    await revokeAccountAccess(tx, userId, opts);
  });
}
