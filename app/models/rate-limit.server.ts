import { db } from "~/services/db.server";
import { tooManyRequests } from "~/utils/errors";

export type Limit = { key: string; max: number; windowSeconds: number; what: string };

/**
 * Fixed-window counter in the database, so every app server shares it.
 * Returns seconds to wait when the limit is exceeded, else 0.
 */
export async function hit(limit: Limit, now = new Date()): Promise<number> {
  const windowMs = limit.windowSeconds * 1000;
  const expiresAt = new Date(now.getTime() + windowMs);
  const rows = await db.$queryRaw<{ count: number; windowStart: Date }[]>`
    insert into "RateLimit" ("key", "count", "windowStart", "expiresAt")
    values (${limit.key}, 1, ${now}, ${expiresAt})
    on conflict ("key") do update set
      "count" = case when "RateLimit"."expiresAt" <= ${now} then 1 else "RateLimit"."count" + 1 end,
      "windowStart" = case when "RateLimit"."expiresAt" <= ${now} then ${now} else "RateLimit"."windowStart" end,
      "expiresAt" = case when "RateLimit"."expiresAt" <= ${now} then ${expiresAt} else "RateLimit"."expiresAt" end
    returning "count", "windowStart"`;
  const row = rows[0]!;
  if (row.count <= limit.max) return 0;
  return Math.max(1, Math.ceil((row.windowStart.getTime() + windowMs - now.getTime()) / 1000));
}

/** Counts the attempt and throws 429 (with Retry-After) once over the limit. */
export async function enforce(limit: Limit, now = new Date()) {
  const wait = await hit(limit, now);
  if (wait > 0) throw tooManyRequests(wait, limit.what);
}

/** Refuses without counting: for limits counted only on failure (login). */
export async function check(limit: Limit, now = new Date()) {
  const row = await db.rateLimit.findUnique({ where: { key: limit.key } });
  if (!row || row.expiresAt <= now || row.count < limit.max) return;
  throw tooManyRequests(Math.max(1, Math.ceil((row.expiresAt.getTime() - now.getTime()) / 1000)), limit.what);
}

export async function reset(key: string) {
  await db.rateLimit.deleteMany({ where: { key } });
}
