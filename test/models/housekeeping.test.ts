import { describe, expect, it } from "vitest";
import { runHousekeepingJob, sweepExpired } from "~/models/housekeeping.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";

// Expired sessions, reset links and rate-limit windows are swept every hour;
// anything still valid is left alone.

useTestDatabase();

const hour = 3_600_000;

describe("the hourly sweep of expired rows", () => {
  it("deletes expired sessions, reset links and rate-limit windows, and keeps live ones", async () => {
    const user = await makeUser();
    const now = new Date();
    const past = new Date(now.getTime() - hour);
    const future = new Date(now.getTime() + hour);
    await db.session.createMany({
      data: [
        { id: "expired-session", userId: user.id, expiresAt: past },
        { id: "live-session", userId: user.id, expiresAt: future },
      ],
    });
    await db.passwordReset.createMany({
      data: [
        { userId: user.id, tokenHash: "expired-reset", expiresAt: past },
        { userId: user.id, tokenHash: "live-reset", expiresAt: future },
      ],
    });
    await db.rateLimit.createMany({
      data: [
        { key: "login:expired", count: 5, windowStart: past, expiresAt: past },
        { key: "login:live", count: 2, windowStart: now, expiresAt: future },
      ],
    });

    expect(await sweepExpired(now)).toEqual({ sessions: 1, passwordResets: 1, rateLimits: 1 });
    expect((await db.session.findMany({ where: { userId: user.id } })).map((s) => s.id)).toEqual(["live-session"]);
    expect((await db.passwordReset.findMany({ where: { userId: user.id } })).map((r) => r.tokenHash)).toEqual(["live-reset"]);
    expect((await db.rateLimit.findMany({ where: { key: { startsWith: "login:" } } })).map((r) => r.key)).toEqual(["login:live"]);
  });

  it("queues the next sweep an hour later before sweeping, so one failure cannot end the chain", async () => {
    await db.job.deleteMany({ where: { queue: "housekeeping" } });
    const before = Date.now();
    await runHousekeepingJob([]);
    const pending = await db.job.findMany({ where: { queue: "housekeeping", state: "pending" } });
    expect(pending).toHaveLength(1);
    expect(pending[0]!.dedupeKey).toBe("hourly");
    expect(pending[0]!.runAt.getTime()).toBeGreaterThanOrEqual(before + hour - 1000);
  });
});
