import { db } from "~/services/db.server";
import { tooManyRequests } from "~/utils/errors";

export type Limit = { key: string; max: number; windowSeconds: number; what: string };

/**
 * Fixed-window counter in the database, so every app server shares it. One
 * INSERT … ON CONFLICT DO UPDATE counts atomically: concurrent hits on a key
 * queue on its row, so a parallel burst gets exactly `max` through.
 */
async function count(limit: Limit, now: Date): Promise<{ wait: number; windowStart: Date }> {
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
  // A concurrent hit may have opened the window after this one's `now` was taken: never more than one window.
  const left = Math.min(windowMs, row.windowStart.getTime() + windowMs - now.getTime());
  const wait = row.count <= limit.max ? 0 : Math.max(1, Math.ceil(left / 1000));
  return { wait, windowStart: row.windowStart };
}

/** Counts one hit; returns seconds to wait when the limit is exceeded, else 0. */
export async function hit(limit: Limit, now = new Date()): Promise<number> {
  return (await count(limit, now)).wait;
}

/** Counts the attempt and throws 429 (with Retry-After) once over the limit. */
export async function enforce(limit: Limit, now = new Date()) {
  const wait = await hit(limit, now);
  if (wait > 0) throw tooManyRequests(wait, limit.what);
}

export type Reservation = { key: string; windowStart: Date };

/**
 * For limits that count failures only (login). Checking the count first and
 * counting after the failure lets a parallel burst through: every attempt
 * passes the check before any failure is counted. So each attempt is counted
 * before it is tried, and `refund` gives it back when it succeeds. Attempts
 * refused here are not counted either.
 */
export async function reserve(limits: Limit[], now = new Date()): Promise<Reservation[]> {
  const taken: Reservation[] = [];
  for (const limit of limits) {
    const { wait, windowStart } = await count(limit, now);
    taken.push({ key: limit.key, windowStart });
    if (wait > 0) {
      await refund(taken);
      throw tooManyRequests(wait, limit.what);
    }
  }
  return taken;
}

/** Gives reserved attempts back (only within the window they were counted in). */
export async function refund(reservations: Reservation[]) {
  for (const r of reservations) {
    await db.rateLimit.updateMany({
      where: { key: r.key, windowStart: r.windowStart, count: { gt: 0 } },
      data: { count: { decrement: 1 } },
    });
  }
}

export async function reset(key: string) {
  await db.rateLimit.deleteMany({ where: { key } });
}
