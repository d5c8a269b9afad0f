import { describe, expect, it } from "vitest";
import { canTransition, isClosed, TICKET_STATES, transition, type TicketEvent, type TicketState } from "~/models/ticket-state";

const LEGAL: [TicketState, TicketEvent, TicketState][] = [
  ["awaiting_acceptance", "accept", "open"],
  ["awaiting_acceptance", "reject", "rejected"],
  ["awaiting_acceptance", "expire", "expired"],
  ["open", "request_info", "waiting_on_customer"],
  ["waiting_on_customer", "customer_reply", "open"],
  ["open", "resolve", "resolved"],
  ["waiting_on_customer", "resolve", "resolved"],
];
const EVENTS: TicketEvent[] = ["accept", "reject", "expire", "request_info", "customer_reply", "resolve"];

describe("ticket states", () => {
  it.each(LEGAL)("%s --%s--> %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it("answers every other transition with 409 and a sentence saying why", () => {
    let illegal = 0;
    for (const from of TICKET_STATES) {
      for (const event of EVENTS) {
        if (LEGAL.some(([f, e]) => f === from && e === event)) continue;
        illegal++;
        expect(canTransition(from, event)).toBe(false);
        expect(() => transition(from, event)).toThrowError(expect.objectContaining({ status: 409, message: expect.stringMatching(/cannot be/) }));
      }
    }
    expect(illegal).toBe(TICKET_STATES.length * EVENTS.length - LEGAL.length);
  });

  it("never leaves a closed state", () => {
    for (const closed of TICKET_STATES.filter(isClosed)) {
      for (const event of EVENTS) expect(canTransition(closed, event)).toBe(false);
    }
    expect(TICKET_STATES.filter(isClosed)).toEqual(["resolved", "rejected", "expired"]);
  });
});
