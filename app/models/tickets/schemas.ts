import { z } from "zod";
import { hasVisibleText, emptyOrVisible, NOTHING_VISIBLE } from "~/utils/text";
import { parseOrThrow } from "~/utils/validation";
import { checkboxField } from "~/utils/schema-fields";
import { TICKET_STATES } from "~/models/tickets/state";

// What a member or maintainer may send about a ticket, parsed at the edge (docs/product.md §4.6–4.7).

export const listTicketsSchema = z.object({ state: z.enum(TICKET_STATES).optional() }).meta({ id: "ListTicketsQuery" });
export type ListTicketsQuery = z.output<typeof listTicketsSchema>;
export const parseListTicketsQuery = (input: unknown): ListTicketsQuery => parseOrThrow(listTicketsSchema, input);

const messageBody = z
  .string({ error: "Write a message." })
  .trim()
  .min(2, "Write a message.")
  .max(20_000, "At most 20,000 characters.")
  .refine(hasVisibleText, NOTHING_VISIBLE);

export const ticketMessageSchema = z
  .object({ body: messageBody, internal: checkboxField.describe("An internal note, visible to maintainers only") })
  .meta({ id: "TicketMessageInput" });

const optionalMessage = z
  .string()
  .trim()
  .max(20_000, "At most 20,000 characters.")
  .refine(emptyOrVisible, NOTHING_VISIBLE)
  .optional()
  .transform((v) => (v ? v : undefined));

export const acceptSchema = z.object({ message: optionalMessage }).meta({ id: "AcceptTicket" });
export const resolveSchema = z.object({ message: optionalMessage }).meta({ id: "ResolveTicket" });
export const requestInfoSchema = z
  .object({
    message: z
      .string({ error: "Say what information you need." })
      .trim()
      .min(10, "Say what information you need (at least 10 characters).")
      .max(20_000)
      .refine(hasVisibleText, NOTHING_VISIBLE),
  })
  .meta({ id: "RequestInfo" });
export const REJECT_REASONS = ["careless", "out_of_scope", "duplicate"] as const;
export const rejectSchema = z
  .object({
    reason: z.enum(REJECT_REASONS, { error: "Choose a reason: careless, out_of_scope or duplicate." }),
    message: z
      .string({ error: "Explain the rejection to the member." })
      .trim()
      .min(10, "Explain the rejection to the member (at least 10 characters).")
      .max(20_000)
      .refine(hasVisibleText, NOTHING_VISIBLE),
  })
  .meta({ id: "RejectTicket" });
