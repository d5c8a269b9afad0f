import { describe, expect, it } from "vitest";
import { canTransition, isClosed, TICKET_STATES, transition, type TicketEvent, type TicketState } from "~/models/tickets/state";

const at = new Date("2026-01-01T00:00:00Z");
// [from, accepted?, event, to]: "waiting_on_customer" before acceptance is its own position.
const LEGAL: [TicketState, boolean, TicketEvent, TicketState][] = [
  ["awaiting_acceptance", false, "accept", "open"],
  ["awaiting_acceptance", false, "reject", "rejected"],
  ["awaiting_acceptance", false, "expire", "expired"],
  ["awaiting_acceptance", false, "withdraw", "withdrawn"],
  ["awaiting_acceptance", false, "request_info", "waiting_on_customer"],
  ["waiting_on_customer", false, "customer_reply", "awaiting_acceptance"],
  ["waiting_on_customer", false, "accept", "open"],
  ["waiting_on_customer", false, "reject", "rejected"],
  ["waiting_on_customer", false, "withdraw", "withdrawn"],
  ["open", true, "request_info", "waiting_on_customer"],
  ["waiting_on_customer", true, "customer_reply", "open"],
  ["open", true, "resolve", "resolved"],
  ["waiting_on_customer", true, "resolve", "resolved"],
];
const EVENTS: TicketEvent[] = ["accept", "reject", "expire", "withdraw", "request_info", "customer_reply", "resolve"];
const POSITIONS: [TicketState, boolean][] = [
  ...TICKET_STATES.filter((s) => s !== "waiting_on_customer").map((s): [TicketState, boolean] => [s, s !== "awaiting_acceptance"]),
  ["waiting_on_customer", false],
  ["waiting_on_customer", true],
];
const pos = (state: TicketState, accepted: boolean) => ({ state, acceptedAt: accepted ? at : null });

describe("ticket states", () => {
  it.each(LEGAL)("%s (accepted: %s) --%s--> %s", (from, accepted, event, to) => {
    expect(transition(pos(from, accepted), event)).toBe(to);
  });

  it("answers every other transition with 409 and a sentence saying why", () => {
    let illegal = 0;
    for (const [from, accepted] of POSITIONS) {
      for (const event of EVENTS) {
        if (LEGAL.some(([f, a, e]) => f === from && a === accepted && e === event)) continue;
        illegal++;
        expect(canTransition(pos(from, accepted), event)).toBe(false);
        expect(() => transition(pos(from, accepted), event)).toThrowError(
          expect.objectContaining({ status: 409, message: expect.stringMatching(/cannot be/) }),
        );
      }
    }
    expect(illegal).toBe(POSITIONS.length * EVENTS.length - LEGAL.length);
  });

  it("a ticket waiting on the member before acceptance never expires (its clock is paused)", () => {
    expect(canTransition(pos("waiting_on_customer", false), "expire")).toBe(false);
  });

  it("never leaves a closed state", () => {
    for (const closed of TICKET_STATES.filter(isClosed)) {
      for (const event of EVENTS) expect(canTransition(pos(closed, true), event)).toBe(false);
    }
    expect(TICKET_STATES.filter(isClosed)).toEqual(["resolved", "rejected", "expired", "withdrawn"]);
  });
});
