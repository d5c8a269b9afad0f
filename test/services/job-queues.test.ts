import { describe, expect, it } from "vitest";
import { db } from "~/services/db.server";
import { claim, dueQueues } from "~/services/jobs.server";
import { useTestDatabase } from "../helpers/database";

// The worker asks which queues have work in one statement before it claims (docs/decisions/009): a queue is due
// exactly when claim() would find a job in it.

useTestDatabase();

const now = new Date("2026-12-05T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

describe("dueQueues", () => {
  it("names the queues claim() would take a job from, and no other", async () => {
    const job = (queue: string, data: Record<string, unknown>) => db.job.create({ data: { queue, payload: {}, ...data } });
    await job("q-pending-due", { runAt: minutes(-1) });
    await job("q-pending-later", { runAt: minutes(5) });
    await job("q-lease-expired", { state: "running", runAt: minutes(-10), lockedUntil: minutes(-1) });
    await job("q-lease-held", { state: "running", runAt: minutes(-10), lockedUntil: minutes(1) });
    await job("q-done", { state: "done", runAt: minutes(-10) });
    await job("q-failed", { state: "failed", runAt: minutes(-10) });
    const queues = ["q-pending-due", "q-pending-later", "q-lease-expired", "q-lease-held", "q-done", "q-failed", "q-empty"];

    const due = await dueQueues(queues, now);
    expect([...due].sort()).toEqual(["q-lease-expired", "q-pending-due"]);
    for (const queue of queues) expect((await claim(queue, 10, 60_000, now)).length > 0, queue).toBe(due.has(queue));
    // Claimed, their leases now run: nothing is due until they expire.
    expect(await dueQueues(queues, now)).toEqual(new Set());
    expect(await dueQueues(queues, minutes(2))).toEqual(new Set(["q-pending-due", "q-lease-expired", "q-lease-held"]));
  });
});
