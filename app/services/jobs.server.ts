import { randomBytes } from "node:crypto";
import os from "node:os";
import { Prisma } from "~/generated/prisma/client";
import { databaseUnavailable } from "./database-unavailable.server";
import { db } from "./db.server";
import { logger } from "./logger.server";
import type { DbOrTx } from "~/models/types";

// Outbox and background jobs in one table, claimed with FOR UPDATE SKIP LOCKED
// and a lease, so several app servers never run a job twice (docs/decisions/009).

export type JobRow = { id: bigint; queue: string; payload: unknown; attempts: number; maxAttempts: number; dedupeKey: string | null };
export type JobHandler = (jobs: JobRow[]) => Promise<void>;

/**
 * Writes a job in the caller's transaction. With a dedupeKey, a pending job
 * for the same key absorbs this one (the worker reads current state anyway).
 */
export async function enqueue(
  tx: DbOrTx,
  queue: string,
  payload: Prisma.InputJsonValue,
  opts: { dedupeKey?: string; runAt?: Date; maxAttempts?: number } = {},
) {
  if (opts.dedupeKey) {
    const pending = await tx.job.findFirst({
      where: { queue, dedupeKey: opts.dedupeKey, state: "pending", lockedUntil: null },
      select: { id: true },
    });
    if (pending) {
      await tx.job.update({ where: { id: pending.id }, data: { payload, runAt: opts.runAt ?? new Date() } });
      return;
    }
  }
  await tx.job.create({
    data: { queue, payload, dedupeKey: opts.dedupeKey, runAt: opts.runAt ?? new Date(), maxAttempts: opts.maxAttempts ?? 8 },
  });
}

const HOST = os.hostname();

/** A job that may run now: pending and due, or its lease expired. */
const isDue = (now: Date) => Prisma.sql`"runAt" <= ${now} and (state = 'pending' or (state = 'running' and "lockedUntil" < ${now}))`;

/** Claims up to `limit` due jobs of one queue for `leaseMs`; expired leases are reclaimed. */
export async function claim(queue: string, limit: number, leaseMs = 60_000, now = new Date()): Promise<JobRow[]> {
  // host/pid/random: releaseOrphanedJobs() recognises leases of a process that died on this host.
  const worker = `${HOST}/${process.pid}/${randomBytes(3).toString("hex")}`;
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return db.$queryRaw<JobRow[]>`
    update "Job" set state = 'running', "lockedUntil" = ${leaseUntil}, "lockedBy" = ${worker},
      attempts = attempts + 1, "updatedAt" = ${now}
    where id in (
      select id from "Job"
      where queue = ${queue} and ${isDue(now)}
      order by "runAt", id
      limit ${limit}
      for update skip locked
    )
    returning id, queue, payload, attempts, "maxAttempts", "dedupeKey"`;
}

export async function complete(ids: bigint[]) {
  if (ids.length) await db.job.updateMany({ where: { id: { in: ids } }, data: { state: "done", lockedUntil: null, lastError: null } });
}

/** Retries with exponential backoff (2s, 4s, 8s… capped at 10 min) until maxAttempts, then fails. */
export async function fail(jobs: JobRow[], error: unknown, now = new Date()) {
  const message = error instanceof Error ? error.message : String(error);
  for (const job of jobs) {
    const giveUp = job.attempts >= job.maxAttempts;
    const delay = Math.min(600_000, 2000 * 2 ** (job.attempts - 1));
    await db.job.update({
      where: { id: job.id },
      data: giveUp
        ? { state: "failed", lockedUntil: null, lastError: message.slice(0, 2000) }
        : { state: "pending", lockedUntil: null, runAt: new Date(now.getTime() + delay), lastError: message.slice(0, 2000) },
    });
  }
}

/**
 * Runs one pending job inline, right after the request that queued it has committed, so the person sees the outcome
 * at once. A worker that leased it first wins; a failure goes back to the queue with its backoff.
 */
export async function runPendingJobNow(queue: string, dedupeKey: string, run: (job: JobRow) => Promise<void>, now = new Date()) {
  const job = await db.job.findFirst({ where: { queue, dedupeKey, state: "pending" }, select: { id: true } });
  if (!job) return;
  const leased = await db.job.updateMany({
    where: { id: job.id, state: "pending" },
    data: { state: "running", lockedUntil: new Date(now.getTime() + 60_000), lockedBy: "inline", attempts: { increment: 1 } },
  });
  if (!leased.count) return;
  const row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
  const claimed: JobRow = {
    id: row.id,
    queue: row.queue,
    payload: row.payload,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    dedupeKey: row.dedupeKey,
  };
  try {
    await run(claimed);
    await complete([row.id]);
  } catch (error) {
    logger.warn(`${queue} job ${dedupeKey} failed, will retry (${error instanceof Error ? error.message : "error"})`);
    await fail([claimed], error, now);
  }
}

/**
 * Which of `queues` have a job to run now, in one statement: the worker asks this before claiming, so an idle poll
 * is one statement rather than one per queue (15), each of which waits its turn on the embedded database.
 */
export async function dueQueues(queues: string[], now = new Date()): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ queue: string }[]>`
    select q.queue from unnest(${queues}::text[]) as q(queue)
    where exists (select 1 from "Job" where "Job".queue = q.queue and ${isDue(now)})`;
  return new Set(rows.map((r) => r.queue));
}

/** Claims one batch of a queue and runs the handler; returns how many jobs it processed. */
export async function runOnce(queue: string, handler: JobHandler, batchSize = 100): Promise<number> {
  const jobs = await claim(queue, batchSize);
  if (!jobs.length) return 0;
  try {
    await handler(jobs);
    await complete(jobs.map((j) => j.id));
  } catch (error) {
    logger.warn(`job queue ${queue}: batch of ${jobs.length} failed, will retry`, error);
    await fail(jobs, error);
  }
  return jobs.length;
}

function processAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A process killed mid-job (SIGKILL, OOM, power loss) leaves its jobs "running"
 * until their lease expires, a minute later. At start this process runs no job
 * yet, so a lease taken on this host by a process that no longer exists (or by
 * our own pid: a restarted container) is orphaned and goes back to pending at
 * once. Leases of other hosts are left to expire: their worker may be alive.
 */
export async function releaseOrphanedJobs(now = new Date()): Promise<number> {
  const leased = await db.job.findMany({
    where: { state: "running", lockedBy: { startsWith: `${HOST}/` } },
    select: { id: true, lockedBy: true },
  });
  const orphaned = leased
    .filter((job) => {
      const pid = Number(job.lockedBy!.slice(HOST.length + 1).split("/")[0]);
      return Number.isInteger(pid) && (pid === process.pid || !processAlive(pid));
    })
    .map((job) => job.id);
  if (!orphaned.length) return 0;
  const { count } = await db.job.updateMany({
    where: { id: { in: orphaned }, state: "running" },
    data: { state: "pending", lockedUntil: null, runAt: now },
  });
  logger.warn(`jobs: ${count} job(s) left running by a stopped process were put back in the queue`);
  return count;
}

/** Finished jobs are history after a day; failed ones stay for an admin to see. */
export async function pruneJobs(now = new Date()) {
  const { count } = await db.job.deleteMany({ where: { state: "done", updatedAt: { lt: new Date(now.getTime() - 86_400_000) } } });
  return count;
}

export async function jobCounts() {
  const rows = await db.job.groupBy({ by: ["queue", "state"], _count: { _all: true } });
  return rows.map((r) => ({ queue: r.queue, state: r.state, count: r._count._all }));
}

const handlers = new Map<string, { handler: JobHandler; batchSize: number }>();

export function registerQueue(queue: string, handler: JobHandler, batchSize = 100) {
  handlers.set(queue, { handler, batchSize });
}

let timer: NodeJS.Timeout | undefined;
let running: Promise<void> | undefined;
let wake: (() => void) | undefined;

/** Polls every registered queue; `nudge()` wakes it early after a write. */
export function startWorker(intervalMs = 1000) {
  if (timer) return;
  let stopped = false;
  let lastPrune = 0;
  const loop = async () => {
    while (!stopped) {
      if (Date.now() - lastPrune > 600_000) {
        lastPrune = Date.now();
        await pruneJobs().catch((e) => logger.warn("could not prune finished jobs", e));
      }
      let worked = 0;
      const due = await dueQueues([...handlers.keys()]).catch((e) => {
        if (!databaseUnavailable(e)) logger.error("job queues could not be polled", e);
        return new Set<string>();
      });
      for (const [queue, { handler, batchSize }] of handlers) {
        if (!due.has(queue)) continue;
        worked += await runOnce(queue, handler, batchSize).catch((e) => {
          // An unreachable database is an outage (warned about once), not a bug in the queue.
          if (!databaseUnavailable(e)) logger.error(`job queue ${queue} could not be polled`, e);
          return 0;
        });
      }
      if (worked === 0) await new Promise<void>((r) => ((wake = r), (timer = setTimeout(r, intervalMs))));
    }
  };
  timer = setTimeout(() => {}, 0);
  running = loop();
  stopWorker = async () => {
    stopped = true;
    clearTimeout(timer);
    wake?.();
    await running;
    timer = undefined;
  };
}

export function nudgeWorker() {
  if (wake) {
    clearTimeout(timer);
    const w = wake;
    wake = undefined;
    w();
  }
}

export let stopWorker = async () => {};
