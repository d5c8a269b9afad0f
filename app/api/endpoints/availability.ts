import { z } from "zod";
import { availabilitySchema } from "~/models/availability/availability";
import { tagged } from "../endpoint.server";

const support = tagged("support");

// What the maintainer can keep, and intake as the gate shows it (docs/decisions/045).

const iso = z.iso.datetime();

export const supportStatusResponse = z
  .object({
    open: z.boolean().describe("False while no tier's promise can be kept: escalations answer 409 support_paused"),
    reopensAt: iso.nullable().describe("When intake reopens, if known: the end of an absence; null while capacity-bound or open"),
    waiting: z.number().int().describe("Paid tickets still waiting for their first response"),
    tiers: z.array(
      z.object({
        id: z.string(),
        responseHours: z.number().int(),
        medianFirstResponseHours: z.number().nullable().describe("Over tickets paid in the last 30 days; null without any"),
        available: z.boolean(),
        reopensAt: iso.nullable(),
      }),
    ),
  })
  .meta({ id: "SupportStatus" });

const availabilityResponse = z
  .object({
    maxOpenTickets: z
      .number()
      .int()
      .nullable()
      .describe("Paid tickets held at once (awaiting acceptance, open, waiting on the customer); null: no limit"),
    tierLimits: z
      .array(z.object({ id: z.string().describe("The tier's id"), maxOpenTickets: z.number().int() }))
      .describe("Tiers with a limit of their own, next to the one in total (docs/decisions/051)"),
    absences: z.array(z.object({ id: z.string(), from: iso, to: iso, note: z.string().nullable() })).describe("Current and coming ones"),
  })
  .meta({ id: "SupportAvailability" });

export const getSupportStatus = support("GET /api/v1/support/status", {
  auth: "optional",
  summary: "Whether paid support takes new tickets now, per tier, with the waiting count and median first response",
  response: supportStatusResponse,
});

export const getAvailability = support("GET /api/v1/support/availability", {
  summary: "The capacity limit and the current and coming absences (maintainers, admins)",
  response: availabilityResponse,
  errors: [403],
});

export const putAvailability = support("PUT /api/v1/support/availability", {
  summary:
    "Replace the capacity limits (in total and per tier) and the coming absences (maintainers, admins); tickets already sold keep their promise",
  body: availabilitySchema,
  response: availabilityResponse,
  errors: [403],
});

export const createReopenRequest = support("POST /api/v1/support/reopen-requests", {
  status: 201,
  summary: "E-mail me once when paid support reopens (409 while it is open)",
  response: z.object({ requested: z.literal(true), message: z.string() }),
  errors: [403, 409],
});
