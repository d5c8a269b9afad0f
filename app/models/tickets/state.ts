import { conflict } from "~/utils/errors";

// The ticket's life, as data (docs/product.md §4.6): every change goes through `transition`,
// so an illegal one is a 409 wherever it is attempted (browser, API, job).
export const TICKET_STATES = [
  "awaiting_acceptance",
  "open",
  "waiting_on_customer",
  "resolved",
  "rejected",
  "expired",
  "withdrawn",
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export type TicketEvent = "accept" | "reject" | "expire" | "lapse" | "withdraw" | "request_info" | "customer_reply" | "resolve";

// "Waiting on the customer" happens before the maintainer decides (a question
// before charging) and after accepting. The two differ: before acceptance the
// ticket can still be accepted, rejected or withdrawn, and the member's answer
// sends it back to awaiting acceptance (docs/decisions/034).
type Phase = TicketState | "asked_before_acceptance";
export type TicketPosition = { state: TicketState | string; acceptedAt: Date | null };

export const phaseOf = (t: TicketPosition): Phase =>
  t.state === "waiting_on_customer" && !t.acceptedAt ? "asked_before_acceptance" : (t.state as TicketState);

const TRANSITIONS: Record<TicketEvent, Partial<Record<Phase, TicketState>>> = {
  accept: { awaiting_acceptance: "open", asked_before_acceptance: "open" },
  reject: { awaiting_acceptance: "rejected", asked_before_acceptance: "rejected" },
  withdraw: { awaiting_acceptance: "withdrawn", asked_before_acceptance: "withdrawn" },
  // A paused clock has nothing due: a ticket waiting on the member never expires.
  expire: { awaiting_acceptance: "expired" },
  // The card hold ran out before the payment was captured (docs/decisions/035): closed unpaid, even after an accept.
  lapse: { awaiting_acceptance: "expired", asked_before_acceptance: "expired", open: "expired", waiting_on_customer: "expired" },
  request_info: { awaiting_acceptance: "waiting_on_customer", open: "waiting_on_customer" },
  customer_reply: { waiting_on_customer: "open", asked_before_acceptance: "awaiting_acceptance" },
  resolve: { open: "resolved", waiting_on_customer: "resolved" },
};

/** A request still standing on the public thread: live, or resolved. Declined, expired and withdrawn ones are not. */
export const STANDING_TICKET_STATES = ["awaiting_acceptance", "open", "waiting_on_customer", "resolved"] as const;

export const CLOSED_STATES: readonly TicketState[] = ["resolved", "rejected", "expired", "withdrawn"];
export const isClosed = (state: TicketState) => CLOSED_STATES.includes(state);

export const canTransition = (t: TicketPosition, event: TicketEvent) => TRANSITIONS[event][phaseOf(t)] !== undefined;

const LABELS: Record<TicketState, string> = {
  awaiting_acceptance: "awaiting acceptance",
  open: "open",
  waiting_on_customer: "waiting on the customer",
  resolved: "resolved",
  rejected: "rejected",
  expired: "expired",
  withdrawn: "withdrawn",
};
export const stateLabel = (state: TicketState) => LABELS[state];

const VERBS: Record<TicketEvent, string> = {
  accept: "accepted",
  reject: "rejected",
  expire: "expired",
  lapse: "closed for a lapsed card hold",
  withdraw: "withdrawn",
  request_info: "asked for information",
  customer_reply: "reopened by a reply",
  resolve: "resolved",
};

const PHASE_LABELS: Record<Phase, string> = { ...LABELS, asked_before_acceptance: "waiting on the customer before acceptance" };

/** The state after `event`, or a 409 that says why not. */
export function transition(t: TicketPosition, event: TicketEvent): TicketState {
  const phase = phaseOf(t);
  const next = TRANSITIONS[event][phase];
  if (!next) {
    const from = (Object.keys(TRANSITIONS[event]) as Phase[]).map((s) => PHASE_LABELS[s]).join(" or ");
    throw conflict(`A ticket that is ${PHASE_LABELS[phase]} cannot be ${VERBS[event]}; only one that is ${from}.`);
  }
  return next;
}
