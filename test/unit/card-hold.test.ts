import { describe, expect, it } from "vitest";
import { holdNotice, type HoldRow } from "~/models/payments/card-hold";
import { sortQueue, type QueueRow } from "~/models/desk/queue";
import { HOUR_MS } from "~/models/tickets/sla";

// When the desk must see a card hold (docs/decisions/035), with the clock passed in.
const now = new Date("2026-03-02T12:00:00Z");
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * HOUR_MS);

const hold = (over: Partial<HoldRow> = {}): HoldRow => ({
  acceptedAt: null,
  deadlineAt: at(40),
  pausedAt: null,
  payment: { status: "authorized", captureBefore: at(150) },
  ...over,
});

describe("the card hold notice", () => {
  it("shows nothing while the deadline comes first and the hold is more than a day away", () => {
    expect(holdNotice(hold(), now)).toBeNull();
  });

  it("shows the hold when it ends before the deadline, when the clock is paused, or within a day", () => {
    expect(holdNotice(hold({ deadlineAt: at(200) }), now)?.text).toBe("card hold ends in 6 d 6 h");
    expect(holdNotice(hold({ pausedAt: at(-1) }), now)?.text).toBe("card hold ends in 6 d 6 h");
    expect(holdNotice(hold({ payment: { status: "authorized", captureBefore: at(5) } }), now)).toEqual({
      endsAt: at(5),
      text: "card hold ends in 5 h",
    });
  });

  it("shows nothing once there is no hold to lose: accepted, captured or released, or paid from coverage", () => {
    const soon = { status: "authorized", captureBefore: at(5) };
    expect(holdNotice(hold({ payment: soon, acceptedAt: at(-1) }), now)).toBeNull();
    expect(holdNotice(hold({ payment: { ...soon, status: "captured" } }), now)).toBeNull();
    expect(holdNotice(hold({ payment: { status: "authorized", captureBefore: null } }), now)).toBeNull();
    expect(holdNotice(hold({ payment: null }), now)).toBeNull();
  });
});

describe("the desk queue with card holds", () => {
  it("orders by the nearer of the deadline and the hold's end", () => {
    const row = (id: string, over: Partial<QueueRow>): QueueRow => ({
      id,
      state: "awaiting_acceptance",
      responseHours: 240,
      paidAt: at(-140),
      deadlineAt: at(100),
      pausedAt: null,
      remainingMs: null,
      ...over,
    });
    const rows = [row("deadline-in-10-h", { deadlineAt: at(10), responseHours: 48 }), row("hold-ends-in-5-h", { holdEndsAt: at(5) })];
    expect(sortQueue(rows, now).map((r) => r.id)).toEqual(["hold-ends-in-5-h", "deadline-in-10-h"]);
  });
});
