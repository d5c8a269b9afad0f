import { createHash, randomUUID } from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { conflict } from "~/utils/errors";

// Once-only POSTs (issue 8): a retried API call (Idempotency-Key header) or a
// double-submitted form (one-time token) must not create a second thread,
// reply or escalation. The unique (userId, scope, key) row decides which
// request runs; every other request with the same key waits for that one and
// answers with its stored result.

export type IdempotencyRef = { userId: string; scope: string; key: string; fingerprint: string };

type Messages = { reused: string; busy: string };

const KEEP_MS = 24 * 60 * 60 * 1000;
// A key still pending after this long belongs to a request whose process died: it may be claimed again.
const ABANDONED_MS = 5 * 60 * 1000;
// How long a duplicate waits for the first request's result before answering 409.
const WAIT_MS = 25_000;
const POLL_MS = 50;

export const fingerprintOf = (value: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(value ?? null))
    .digest("hex");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const where = (ref: IdempotencyRef) => ({ userId_scope_key: { userId: ref.userId, scope: ref.scope, key: ref.key } });

/** Inserts the key; true when this request owns it (ON CONFLICT DO NOTHING decides between concurrent requests). */
async function claim(ref: IdempotencyRef, now: Date): Promise<string | null> {
  const id = randomUUID();
  const { count } = await db.idempotencyKey.createMany({
    data: [{ id, userId: ref.userId, scope: ref.scope, key: ref.key, fingerprint: ref.fingerprint, createdAt: now }],
    skipDuplicates: true,
  });
  // Expired keys are swept now and then by whoever writes one; the createdAt index keeps this cheap.
  if (count && Math.random() < 0.01) {
    await db.idempotencyKey.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - KEEP_MS) } } });
  }
  return count ? id : null;
}

/**
 * The stored result of the request that owns the key, waiting while it runs;
 * null when that request failed (or died) and released the key, so this one may claim it.
 */
async function firstResult(ref: IdempotencyRef, messages: Messages): Promise<Prisma.JsonValue | null> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const row = await db.idempotencyKey.findUnique({ where: where(ref) });
    if (!row) return null;
    if (row.fingerprint !== ref.fingerprint) throw conflict(messages.reused);
    if (row.completedAt) return row.response;
    if (row.createdAt.getTime() < Date.now() - ABANDONED_MS) {
      await db.idempotencyKey.deleteMany({ where: { id: row.id, completedAt: null } });
      return null;
    }
    if (Date.now() > deadline) throw conflict(messages.busy);
    await sleep(POLL_MS);
  }
}

/** Thrown by `run` to answer without storing the result (the key is released, as after an error). */
export class NotStored<T> extends Error {
  constructor(public value: T) {
    super("not stored");
  }
}

/**
 * Runs `run` once per key: the first request runs it and stores its result;
 * duplicates (concurrent or later, within a day) get that result back with
 * `replayed: true`. A request that fails releases the key, so the person can
 * correct the input and send it again with the same key.
 */
export async function once<T extends Prisma.InputJsonValue>(
  ref: IdempotencyRef,
  run: () => Promise<T>,
  messages: Messages,
): Promise<{ result: T; replayed: boolean }> {
  let id: string | null;
  for (;;) {
    const now = new Date();
    id = await claim(ref, now);
    if (id) break;
    const stored = await firstResult(ref, messages);
    if (stored !== null) return { result: stored as T, replayed: true };
  }
  try {
    const result = await run();
    await db.idempotencyKey.update({ where: { id }, data: { response: result, completedAt: new Date() } });
    return { result, replayed: false };
  } catch (error) {
    await db.idempotencyKey.deleteMany({ where: { id, completedAt: null } }).catch(() => undefined);
    throw error;
  }
}
