import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";

// Live updates across servers (docs/decisions/049). Every stream of this process subscribes to a
// topic ("thread:<id>" or "desk"); one timer reads the state of every watched topic from the
// database, one query per kind of topic per tick however many readers watch, and tells the
// subscribers of a topic whose state moved. The database is what every server shares, so a reply
// posted through any server, a job or the CLI reaches every reader within a tick or two.
//
// Only content everyone may see counts: a hidden or deleted post never moves a thread's state, and
// the event carries counts only, never text. What a reader then loads comes through the page's own
// loader, with that reader's visibility.

const TICK_MS = 1_000;

export type LiveEvent = { event: string; data: Record<string, unknown> };
type Listener = (e: LiveEvent) => void;

type Topic = {
  listeners: Set<Listener>;
  /** Listeners that have not yet been told the topic's starting state. */
  waiting: Set<Listener>;
  state: string | null;
  /** A thread change seen on the last tick, sent on this one (see `settle`). */
  pending: LiveEvent | null;
};

const topics = new Map<string, Topic>();
let timer: NodeJS.Timeout | undefined;
let ticking = false;

export const threadTopic = (threadId: string) => `thread:${threadId}`;
export const DESK_TOPIC = "desk";

/** Listens to a topic until the returned function is called. The listener gets "ready" once the starting state is known. */
export function subscribe(topic: string, listener: Listener): () => void {
  let t = topics.get(topic);
  if (!t) topics.set(topic, (t = { listeners: new Set(), waiting: new Set(), state: null, pending: null }));
  t.listeners.add(listener);
  t.waiting.add(listener);
  timer ??= setInterval(() => void tick(), TICK_MS).unref();
  return () => {
    t.listeners.delete(listener);
    t.waiting.delete(listener);
    if (t.listeners.size === 0 && topics.get(topic) === t) topics.delete(topic);
    if (topics.size === 0) stopTicking();
  };
}

function stopTicking() {
  clearInterval(timer);
  timer = undefined;
}

/** One pass: read the watched topics' states (at most one query per kind) and notify. Exported for tests. */
export async function tick() {
  if (ticking || topics.size === 0) return;
  ticking = true;
  try {
    const threadIds = [...topics.keys()].filter((k) => k.startsWith("thread:")).map((k) => k.slice("thread:".length));
    const [threads, desk] = await Promise.all([threadStates(threadIds), topics.has(DESK_TOPIC) ? deskState() : null]);
    for (const id of threadIds) settle(threadTopic(id), threads.get(id) ?? { posts: 0, lastPostAt: null }, true);
    if (desk) settle(DESK_TOPIC, desk, false);
  } catch (error) {
    // The next tick tries again; readers keep what they have.
    logger.warn(`live updates: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    ticking = false;
  }
}

/**
 * Compares a topic's new state with the last one. A thread's change is sent one tick after it is seen:
 * by then every server's page cache has read the new content version (it polls every 250 ms,
 * docs/decisions/017), so a visitor who reloads the thread on the event gets the new reply, not a
 * cached page from just before it.
 */
function settle(topic: string, next: Record<string, unknown>, delayed: boolean) {
  const t = topics.get(topic);
  if (!t) return;
  const state = JSON.stringify(next);
  const previous = t.state === null ? null : (JSON.parse(t.state) as Record<string, unknown>);
  if (t.pending) emit(t, t.pending);
  t.pending = null;
  if (t.state !== null && state !== t.state) {
    const added = typeof next.posts === "number" && typeof previous?.posts === "number" ? Math.max(0, next.posts - previous.posts) : 0;
    const change = { event: "change", data: { ...next, added } };
    if (delayed) t.pending = change;
    else emit(t, change);
  }
  t.state = state;
  for (const listener of t.waiting) listener({ event: "ready", data: next });
  t.waiting.clear();
}

function emit(t: Topic, e: LiveEvent) {
  for (const listener of t.listeners) if (!t.waiting.has(listener)) listener(e);
}

/** Posts everyone may see, per watched thread: hidden or deleted posts (or threads) do not count. */
async function threadStates(ids: string[]) {
  const states = new Map<string, { posts: number; lastPostAt: string | null }>();
  if (ids.length === 0) return states;
  const rows = await db.post.groupBy({
    by: ["threadId"],
    where: { threadId: { in: ids }, hidden: false, deletedAt: null, thread: { hidden: false, deletedAt: null } },
    _count: { _all: true },
    _max: { createdAt: true },
  });
  for (const r of rows) states.set(r.threadId, { posts: r._count._all, lastPostAt: r._max.createdAt?.toISOString() ?? null });
  return states;
}

/** The paid queue's shape: tickets per state and the latest change. Staff only ever subscribe to it. */
async function deskState() {
  const rows = await db.ticket.groupBy({ by: ["state"], _count: { _all: true }, _max: { updatedAt: true } });
  const byState = Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
  const latest = rows.reduce((m, r) => Math.max(m, r._max.updatedAt?.getTime() ?? 0), 0);
  return { byState, latest };
}

/** For shutdown and tests: forget every topic. Streams end through their own abort signals. */
export function resetLiveHub() {
  topics.clear();
  stopTicking();
}
