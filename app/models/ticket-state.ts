import { conflict } from "~/utils/errors";

// The ticket's life, as data (PRODUCT §4.6): every change goes through `transition`,
// so an illegal one is a 409 wherever it is attempted (browser, API, job).
export const TICKET_STATES = [
  "awaiting_acceptance",
  "open",
  "waiting_on_customer",
  "resolved",
  "rejected",
  "expired",
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

export type TicketEvent = "accept" | "reject" | "expire" | "lapse" | "request_info" | "customer_reply" | "resolve";

const TRANSITIONS: Record<TicketEvent, Partial<Record<TicketState, TicketState>>> = {
  accept: { awaiting_acceptance: "open" },
  reject: { awaiting_acceptance: "rejected" },
  expire: { awaiting_acceptance: "expired" },
  // The card hold ran out before the payment was captured (docs/decisions/035): closed unpaid, even after an accept.
  lapse: { awaiting_acceptance: "expired", open: "expired", waiting_on_customer: "expired" },
  request_info: { open: "waiting_on_customer" },
  customer_reply: { waiting_on_customer: "open" },
  resolve: { open: "resolved", waiting_on_customer: "resolved" },
};

export const CLOSED_STATES: readonly TicketState[] = ["resolved", "rejected", "expired"];
export const isClosed = (state: TicketState) => CLOSED_STATES.includes(state);

/** States from which `event` is legal. */
export const statesAllowing = (event: TicketEvent) => Object.keys(TRANSITIONS[event]) as TicketState[];

export const canTransition = (state: TicketState, event: TicketEvent) => TRANSITIONS[event][state] !== undefined;

const LABELS: Record<TicketState, string> = {
  awaiting_acceptance: "awaiting acceptance",
  open: "open",
  waiting_on_customer: "waiting on the customer",
  resolved: "resolved",
  rejected: "rejected",
  expired: "expired",
};
export const stateLabel = (state: TicketState) => LABELS[state];

const VERBS: Record<TicketEvent, string> = {
  accept: "accepted",
  reject: "rejected",
  expire: "expired",
  lapse: "closed for a lapsed card hold",
  request_info: "asked for information",
  customer_reply: "reopened by a reply",
  resolve: "resolved",
};

/** The state after `event`, or a 409 that says why not. */
export function transition(state: TicketState, event: TicketEvent): TicketState {
  const next = TRANSITIONS[event][state];
  if (!next) {
    const from = statesAllowing(event).map((s) => LABELS[s]).join(" or ");
    throw conflict(`A ticket that is ${LABELS[state]} cannot be ${VERBS[event]}; only one that is ${from}.`);
  }
  return next;
}
