import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";

// Rows that only ever matter until they expire: signed-out or lapsed sessions,
// unused password-reset links and rate-limit windows. Nothing reads them after
// expiry, but without a sweep every failed login and every search would leave
// a row behind for good.

export const HOUSEKEEPING_QUEUE = "housekeeping";
const EVERY_MS = 60 * 60 * 1000;

/** Queues the next sweep; pending ones collapse into one row across app servers. */
export async function scheduleHousekeeping(now = new Date()) {
  await enqueue(db, HOUSEKEEPING_QUEUE, { sweep: true }, { dedupeKey: "hourly", runAt: new Date(now.getTime() + EVERY_MS) });
}

export async function sweepExpired(now = new Date()) {
  const where = { expiresAt: { lt: now } };
  const [sessions, resets, rateLimits] = await Promise.all([
    db.session.deleteMany({ where }),
    db.passwordReset.deleteMany({ where }),
    db.rateLimit.deleteMany({ where }),
  ]);
  return { sessions: sessions.count, passwordResets: resets.count, rateLimits: rateLimits.count };
}

/** Queue handler: the next sweep is queued before the work so a failure cannot end the chain. */
export async function runHousekeepingJob(_jobs: JobRow[]) {
  const now = new Date();
  await scheduleHousekeeping(now);
  await sweepExpired(now);
}
