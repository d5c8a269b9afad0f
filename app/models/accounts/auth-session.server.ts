import { randomBytes } from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { accountUserSelect } from "~/models/accounts/user.server";
import { markViewerLookup } from "~/services/viewer-context.server";

// Sessions live in the database so they can be listed and revoked; the cookie
// only carries the id.
export async function createAuthSession(userId: string, userAgent?: string | null) {
  const days = getEnv().SESSION_DAYS;
  return db.session.create({
    data: {
      id: randomBytes(32).toString("base64url"),
      userId,
      userAgent: userAgent?.slice(0, 300) ?? null,
      expiresAt: new Date(Date.now() + days * 86400_000),
    },
  });
}

/** Who is signed in: the account as every request sees it. */
export type SessionUser = NonNullable<Awaited<ReturnType<typeof userForSession>>>;

export const userForSession = (sessionId: string) => userForSessionWith(sessionId, {});

/** userForSession, with `also` of the user's own rows read in the same statement. */
export async function userForSessionWith<S extends Prisma.UserSelect>(sessionId: string, also: S) {
  // A render that looks a viewer up is personal: the page cache never shares it.
  markViewerLookup();
  const session = await db.session.findUnique({
    where: { id: sessionId },
    select: { expiresAt: true, user: { select: { ...also, ...accountUserSelect } } },
  });
  if (!session || session.expiresAt <= new Date()) return null;
  return session.user;
}

export async function revokeSession(sessionId: string) {
  await db.session.deleteMany({ where: { id: sessionId } });
}

export const listSessions = (userId: string) =>
  db.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, userAgent: true, createdAt: true, expiresAt: true },
  });
