import { describe, expect, it } from "vitest";
import { apiQueueItem, deskQueueResponse } from "~/api/endpoints/desk";
import { badgeFor, countByState, sortQueue, type QueueRow } from "~/models/desk/queue";
import { HOUR_MS } from "~/models/tickets/sla";

// The desk's order and badge levels, with the clock passed in.
const now = new Date("2026-03-02T12:00:00Z");
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * HOUR_MS);

function row(id: string, over: Partial<QueueRow> = {}): QueueRow {
  return {
    id,
    state: "awaiting_acceptance",
    responseHours: 48,
    paidAt: at(-1),
    deadlineAt: at(47),
    pausedAt: null,
    remainingMs: null,
    ...over,
  };
}

describe("the desk queue order", () => {
  it("puts the least time left first, overdue at the top, and paused tickets after every running one", () => {
    const rows = [
      row("relaxed", { deadlineAt: at(40) }),
      row("paused-short", { state: "waiting_on_customer", pausedAt: at(-2), remainingMs: BigInt(HOUR_MS) }),
      row("overdue", { deadlineAt: at(-0.5) }),
      row("soon", { deadlineAt: at(2), responseHours: 12 }),
      row("paused-long", { state: "waiting_on_customer", pausedAt: at(-2), remainingMs: BigInt(30 * HOUR_MS) }),
      row("resolved", { state: "resolved", deadlineAt: at(-10) }),
    ];
    expect(sortQueue(rows, now).map((r) => r.id)).toEqual(["overdue", "soon", "relaxed", "paused-short", "paused-long"]);
  });

  it("breaks a tie on time left by the faster tier, then by who paid first", () => {
    const rows = [
      row("standard", { deadlineAt: at(5), responseHours: 48 }),
      row("priority-later", { deadlineAt: at(5), responseHours: 12, paidAt: at(-3) }),
      row("priority-earlier", { deadlineAt: at(5), responseHours: 12, paidAt: at(-6) }),
    ];
    expect(sortQueue(rows, now).map((r) => r.id)).toEqual(["priority-earlier", "priority-later", "standard"]);
  });

  it("moves a ticket up as time passes (the same rows, a later clock)", () => {
    const rows = [row("a", { deadlineAt: at(10), responseHours: 48 }), row("b", { deadlineAt: at(11), responseHours: 12 })];
    expect(sortQueue(rows, now).map((r) => r.id)).toEqual(["a", "b"]);
    expect(badgeFor(rows[1]!, 12, at(8)).level).toBe("soon");
    expect(badgeFor(rows[0]!, 48, at(8)).level).toBe("soon");
  });

  it("counts every open state, zero included, and ignores closed tickets", () => {
    expect(countByState([{ state: "open" }, { state: "open" }, { state: "expired" }])).toEqual({
      awaiting_acceptance: 0,
      open: 2,
      waiting_on_customer: 0,
    });
  });
});

describe("time-left badges", () => {
  const clock = { deadlineAt: at(12), pausedAt: null, remainingMs: null };

  it("is green with more than a quarter of the clock left", () => {
    expect(badgeFor(clock, 12, at(8.99))).toMatchObject({ level: "ok", text: "3 h 1 min left" });
  });

  it("is due soon when a quarter of the clock is left (the warning time) and stays so until the deadline", () => {
    expect(badgeFor(clock, 12, at(9))).toMatchObject({ level: "soon", fractionLeft: 0.25 });
    expect(badgeFor(clock, 12, new Date(at(12).getTime() - 1))).toMatchObject({ level: "soon" });
  });

  it("is overdue at the deadline and says by how much", () => {
    expect(badgeFor(clock, 12, at(12))).toMatchObject({ level: "overdue" });
    expect(badgeFor(clock, 12, at(13.5))).toMatchObject({ level: "overdue", text: "overdue by 1 h 30 min" });
  });

  it("shows a paused clock as paused whatever is left", () => {
    const paused = { deadlineAt: at(-5), pausedAt: at(-6), remainingMs: BigInt(HOUR_MS / 2) };
    expect(badgeFor(paused, 12, now)).toMatchObject({ level: "paused", text: "paused with 30 min left" });
  });
});

describe("an answered ticket on the desk", () => {
  it("shows how long the answer took instead of overdue, and sorts after every unanswered clock", () => {
    const answered = row("answered", { state: "open", paidAt: at(-50), deadlineAt: at(-46), firstResponseAt: at(-50 + 3.2) });
    const waiting = row("waiting", { deadlineAt: at(40) });
    expect(badgeFor(answered, 4, now)).toEqual({ level: "answered", timeLeftMs: null, fractionLeft: null, text: "answered in 3 h 12 min" });
    expect(sortQueue([answered, waiting], now).map((r) => r.id)).toEqual(["waiting", "answered"]);
  });
});

describe("the desk queue API's badge levels", () => {
  it("keeps its own words (ok, amber, red, paused, answered) for the app's ok, soon, overdue, paused, answered", () => {
    const item = (level: ReturnType<typeof badgeFor>["level"]) => ({ id: "t", badge: { level, timeLeftMs: 0, fractionLeft: 0, text: "" } });
    expect((["ok", "soon", "overdue", "paused", "answered"] as const).map((l) => apiQueueItem(item(l)).badge.level)).toEqual([
      "ok",
      "amber",
      "red",
      "paused",
      "answered",
    ]);
    expect(apiQueueItem(item("soon"))).toMatchObject({ id: "t", badge: { level: "amber", text: "" } });
    const level = deskQueueResponse.shape.items.element.shape.badge.shape.level;
    expect(level.options).toEqual(["ok", "amber", "red", "paused", "answered"]);
  });
});
