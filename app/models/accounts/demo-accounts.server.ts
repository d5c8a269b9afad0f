import { randomBytes } from "node:crypto";
import { verify } from "@node-rs/argon2";
import { DEMO_PASSWORD, DEMO_USERS } from "#prisma/seed-data.server";
import { db } from "~/services/db.server";
import { lockAccount, revokeAccountAccess } from "~/models/accounts/account-access.server";
import { PURGE_COMMAND } from "~/models/payments/test-money.server";
import { hashPassword } from "~/models/accounts/user.server";

// The demo seed's accounts sign in with a password printed on every start and
// written in the README; one of them is an admin. Production refuses to start
// while any still does (docs/decisions/038).

/** Thrown at start; the server prints its message alone and exits 1. */
export class StartRefusedError extends Error {
  name = "StartRefusedError";
}

/** The seeded accounts (by their known e-mails or usernames only) that still accept the demo password. */
export async function demoAccountsOpen(): Promise<{ id: string; username: string; email: string }[]> {
  const users = await db.user.findMany({
    where: { OR: [{ email: { in: DEMO_USERS.map((u) => u.email) } }, { username: { in: DEMO_USERS.map((u) => u.username) } }] },
    select: { id: true, username: true, email: true, passwordHash: true },
  });
  const open: { id: string; username: string; email: string }[] = [];
  // One at a time: each argon2 verification takes 19 MiB, and the server starts under tight memory limits (ADR 021).
  for (const u of users) {
    if (await verify(u.passwordHash, DEMO_PASSWORD).catch(() => false)) open.push({ id: u.id, username: u.username, email: u.email });
  }
  return open;
}

export async function refuseDemoAccountsInProduction() {
  const open = await demoAccountsOpen();
  if (!open.length) return;
  throw new StartRefusedError(
    `Backline cannot start with BACKLINE_MODE=production: ${open.length} demo account(s) still sign in with the published demo password ` +
      `(${open.map((u) => u.email).join(", ")}).\n` +
      `Run \`${PURGE_COMMAND}\` to lock them and neutralise test-mode payments and plans (without --confirm it only lists what it would do), then start again.`,
  );
}

/**
 * Locks a demo account: a random password nobody knows, and every session,
 * API token and reset link ended. Its posts stay: forum content others replied
 * to is not deleted by a cleanup command (a moderator can remove it).
 */
export async function lockDemoAccount(userId: string) {
  const passwordHash = await hashPassword(randomBytes(32).toString("base64url"));
  await db.$transaction(async (tx) => {
    await lockAccount(tx, userId);
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    await revokeAccountAccess(tx, userId);
  });
}
