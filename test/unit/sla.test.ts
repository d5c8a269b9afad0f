import { describe, expect, it } from "vitest";
import {
  clockView,
  deadlineFor,
  describeTimeLeft,
  formatDuration,
  isDue,
  pause,
  resume,
  timeLeftMs,
  urgency,
  warningAt,
} from "~/models/tickets/sla";

const H = 3_600_000;
const paidAt = new Date("2026-03-01T10:00:00Z");
const at = (hours: number) => new Date(paidAt.getTime() + hours * H);

describe("the response clock", () => {
  it("starts at payment and counts the tier's hours", () => {
    expect(deadlineFor(paidAt, 48).toISOString()).toBe("2026-03-03T10:00:00.000Z");
  });

  it("stands still while paused and resumes with the time that was left", () => {
    const running = { deadlineAt: deadlineFor(paidAt, 12), pausedAt: null, remainingMs: null };
    const paused = { ...running, ...pause(running, at(4)) };
    expect(Number(paused.remainingMs)).toBe(8 * H);
    expect(timeLeftMs(paused, at(4))).toBe(8 * H);
    expect(timeLeftMs(paused, at(100))).toBe(8 * H);
    expect(isDue(paused, at(100))).toBe(false);
    expect(pause(paused, at(50))).toEqual({ pausedAt: at(4), remainingMs: BigInt(8 * H) });

    const resumed = { ...paused, ...resume(paused, at(30)) };
    expect(resumed.deadlineAt).toEqual(at(38));
    expect(resumed.pausedAt).toBeNull();
    expect(isDue(resumed, at(37.9))).toBe(false);
    expect(isDue(resumed, at(38))).toBe(true);
    expect(resume(resumed, at(40)).deadlineAt).toEqual(at(38));
  });

  it("keeps zero, not a negative balance, when paused after the deadline", () => {
    const late = { deadlineAt: at(12), pausedAt: null, remainingMs: null };
    expect(pause(late, at(13)).remainingMs).toBe(0n);
  });

  it("warns in the last quarter and turns red when overdue", () => {
    const clock = { deadlineAt: at(48), pausedAt: null, remainingMs: null };
    expect(warningAt(clock, 48)).toEqual(at(36));
    expect(urgency(clock, 48, at(35))).toBe("ok");
    expect(urgency(clock, 48, at(36))).toBe("soon");
    expect(urgency(clock, 48, at(48))).toBe("overdue");
    expect(urgency({ ...clock, ...pause(clock, at(1)) }, 48, at(60))).toBe("paused");
  });

  it("says how much time is left in words", () => {
    expect(formatDuration(2 * H + 5 * 60_000)).toBe("2 h 5 min");
    expect(formatDuration(52 * H)).toBe("2 d 4 h");
    expect(describeTimeLeft({ deadlineAt: at(12), pausedAt: null, remainingMs: null }, at(14))).toBe("overdue by 2 h");
  });
});

describe("the clock after the first response", () => {
  const clock = { deadlineAt: deadlineFor(paidAt, 4), pausedAt: null, remainingMs: null, paidAt };

  it("stops at the first response and says how long it took, even days later", () => {
    const answered = clockView({ ...clock, firstResponseAt: new Date(paidAt.getTime() + 3 * H + 12 * 60_000) }, 4, false, at(50));
    expect(answered).toEqual({ paused: false, answered: true, timeLeftMs: null, urgency: null, text: "answered in 3 h 12 min" });
  });

  it("keeps running (and goes overdue) while nobody answered, accepted or not", () => {
    expect(clockView({ ...clock, firstResponseAt: null }, 4, false, at(6))).toMatchObject({
      answered: false,
      timeLeftMs: -2 * H,
      urgency: "overdue",
      text: "overdue by 2 h",
    });
  });

  it("shows nothing for a ticket closed unanswered", () => {
    expect(clockView({ ...clock, firstResponseAt: null }, 4, true, at(6))).toMatchObject({ timeLeftMs: null, text: null });
  });
});
