import { z } from "zod";
import { gateSchema } from "~/models/escalation/gate";
import {
  acceptSchema,
  listTicketsSchema,
  rejectSchema,
  requestInfoSchema,
  resolveSchema,
  ticketMessageSchema,
} from "~/models/tickets/schemas";
import { TICKET_STATES } from "~/models/tickets/state";
import { withdrawSchema } from "~/models/tickets/withdraw.server";
import { refundSchema } from "~/models/tickets/refund.server";
import { endpoint, tagged } from "../endpoint.server";

const support = tagged("support");

const fundingSchema = z.enum(["card", "insurance"]).describe("Paid by card, or from the member's support plan");

export const tierSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  responseHours: z.number().int().describe("First response promised within this many hours of payment"),
  priceCents: z.number().int().describe("In the currency's smallest unit"),
  currency: z.string(),
});
// Nested schemas carry no component id: the OpenAPI builder lifts only top-level ones.

const clockSchema = z.object({
  paused: z.boolean(),
  answered: z.boolean().describe("The first maintainer message was sent: the clock stopped"),
  timeLeftMs: z.number().nullable().describe("Negative once overdue; null once answered or closed"),
  urgency: z.enum(["ok", "soon", "overdue", "paused"]).nullable(),
  text: z.string().nullable().describe("“5 h left”, “overdue by 2 h”, or once answered “answered in 3 h 12 min”"),
});

const refundSchemaOut = z.object({
  id: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  reason: z.string().nullable(),
  status: z.enum(["pending", "succeeded", "failed", "canceled"]).or(z.string()),
  source: z.string().describe("backline, or provider for a refund made in Stripe's dashboard"),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  by: z.string().nullable(),
});

const ticketSummarySchema = z
  .object({
    id: z.string(),
    state: z.enum(TICKET_STATES),
    stateLabel: z.string(),
    threadId: z.string(),
    title: z.string(),
    tier: tierSchema,
    owner: z.string().describe("The owner's username"),
    paidAt: z.iso.datetime(),
    deadlineAt: z.iso.datetime(),
    clock: clockSchema,
    payment: z
      .object({
        status: z.string(),
        amountCents: z.number().int(),
        currency: z.string(),
        refundedCents: z.number().int(),
        funding: fundingSchema,
        line: z.string().describe("The amount and what became of it, in words for the reader (member or desk)"),
      })
      .nullable()
      .describe("What was paid (held, captured, refunded) for this ticket"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "TicketSummary" });

const snapshotSchema = z
  .object({
    version: z.literal(1),
    takenAt: z.iso.datetime(),
    thread: z.object({
      id: z.string(),
      title: z.string(),
      url: z.string(),
      author: z.string(),
      createdAt: z.iso.datetime(),
      category: z.object({ slug: z.string(), name: z.string() }),
      tags: z.array(z.string()),
    }),
    posts: z.array(
      z.object({
        id: z.string(),
        number: z.number().int(),
        author: z.string(),
        createdAt: z.iso.datetime(),
        editedAt: z.iso.datetime().nullable(),
        body: z.string(),
        bodyHtml: z.string(),
        accepted: z.boolean(),
      }),
    ),
    acceptedPostId: z.string().nullable(),
    links: z.array(z.string()),
    gate: z.object({
      productVersion: z.string(),
      environment: z.string(),
      stepsToReproduce: z.string(),
      alreadyTried: z.string(),
      scopeAccepted: z.boolean(),
      scopeStatement: z.string(),
    }),
    payer: z.object({ id: z.string(), username: z.string(), email: z.string() }),
    tier: z.object({
      slug: z.string(),
      name: z.string(),
      responseHours: z.number().int(),
      priceCents: z.number().int(),
      currency: z.string(),
    }),
  })
  .describe("The thread as it was at payment time, with the gate answers and the payer");

export const ticketSchema = ticketSummarySchema
  .extend({
    snapshot: snapshotSchema,
    acceptedAt: z.iso.datetime().nullable(),
    firstResponseAt: z.iso.datetime().nullable(),
    resolvedAt: z.iso.datetime().nullable(),
    closedAt: z.iso.datetime().nullable(),
    rejectReason: z.enum(["careless", "out_of_scope", "duplicate"]).nullable(),
    rejectMessage: z.string().nullable(),
    withdrawnAt: z.iso.datetime().nullable(),
    withdrawReason: z.string().nullable(),
    messages: z.array(
      z.object({
        id: z.string(),
        author: z.string(),
        fromOwner: z.boolean(),
        body: z.string(),
        bodyHtml: z.string(),
        internal: z.boolean().describe("Internal notes are only ever shown to maintainers"),
        createdAt: z.iso.datetime(),
      }),
    ),
    payment: z
      .object({
        status: z.string().describe("refunded, partially_refunded or disputed where it applies; else the settlement status"),
        summary: z.string().describe("What happened to the money, in words for the reader (the member or the desk)"),
        funding: fundingSchema,
        amountCents: z.number().int(),
        currency: z.string(),
        refundedCents: z.number().int().describe("Given back so far, by Backline or at the provider"),
        settlement: z.string().optional().describe("Maintainers only: the capture/release status"),
        lastError: z.string().nullable().optional().describe("Maintainers only"),
        attempts: z.number().int().optional(),
        disputeStatus: z.string().nullable().optional().describe("Maintainers only: the chargeback's status at Stripe"),
        disputedCents: z.number().int().optional(),
        refunds: z.array(refundSchemaOut).optional().describe("Maintainers only"),
      })
      .nullable(),
    moneyTrail: z
      .array(
        z.object({
          id: z.string(),
          kind: z.string(),
          label: z.string(),
          amountCents: z.number().int(),
          currency: z.string(),
          actor: z.string().nullable().describe("null for the system: a webhook, the clock, a job"),
          reason: z.string().nullable(),
          data: z.record(z.string(), z.unknown()).nullable(),
          createdAt: z.iso.datetime(),
        }),
      )
      .optional()
      .describe("Maintainers only: every money-moving decision on this ticket, oldest first"),
    viewer: z.object({
      isOwner: z.boolean(),
      canReply: z.boolean(),
      canNote: z.boolean(),
      canDecide: z.boolean(),
      canWithdraw: z.boolean(),
      canRequestInfo: z.boolean(),
    }),
  })
  .meta({ id: "Ticket" });

// A decision or action on one ticket: POST, signed in, answers the ticket.
const ticketAction = (path: string, summary: string, body: z.ZodType, errors: number[] = [403, 409]) =>
  endpoint({ method: "POST", path, tag: "support", auth: "required", summary, body, response: ticketSchema, errors });

export const refundTicket = ticketAction(
  "/api/v1/tickets/:id/refund",
  "Refund all or part of a captured ticket (maintainers); more than is left is a 400 naming what is left",
  refundSchema,
);

export const listTiers = support("GET /api/v1/tiers", {
  auth: "optional",
  summary: "Paid support tiers: response time and price",
  response: z.array(tierSchema),
});

export const createEscalation = support("POST /api/v1/threads/:id/escalations", {
  status: 201,
  summary: "Escalate a thread to paid support: passes the gate and opens checkout (the card is authorised, not charged)",
  body: gateSchema,
  response: z.object({ escalationId: z.string(), checkoutUrl: z.string().describe("Send the member here to pay") }),
  errors: [403, 409, 429],
});

export const listTickets = support("GET /api/v1/tickets", {
  summary: "Your tickets; every ticket for a maintainer, most urgent first",
  query: listTicketsSchema,
  response: z.array(ticketSummarySchema),
});

export const getTicket = support("GET /api/v1/tickets/:id", {
  summary: "One ticket with its snapshot and conversation (404 unless it is yours or you are a maintainer)",
  response: ticketSchema,
});

export const postTicketMessage = support("POST /api/v1/tickets/:id/messages", {
  status: 201,
  summary: "Reply on a ticket, or (maintainers) add an internal note; a member's reply resumes a paused clock",
  body: ticketMessageSchema,
  response: ticketSchema,
  errors: [403, 409, 429],
});

export const acceptTicket = ticketAction(
  "/api/v1/tickets/:id/accept",
  "Accept a ticket: it opens and the authorised payment is captured",
  acceptSchema,
);

export const rejectTicket = ticketAction(
  "/api/v1/tickets/:id/reject",
  "Reject a ticket as careless, out of scope or duplicate: the authorisation is released",
  rejectSchema,
);

export const requestTicketInfo = ticketAction(
  "/api/v1/tickets/:id/request-info",
  "Ask the member for information; the response clock pauses until they reply",
  requestInfoSchema,
);

export const withdrawTicket = ticketAction(
  "/api/v1/tickets/:id/withdraw",
  "Withdraw your ticket while it awaits acceptance: the authorisation is released (or the coverage returned)",
  withdrawSchema,
);

export const resolveTicket = ticketAction(
  "/api/v1/tickets/:id/resolve",
  "Resolve a ticket; the public thread shows “Resolved via paid support”",
  resolveSchema,
);
