import { z } from "zod";
import { deskQueueQuerySchema } from "~/models/desk/desk.server";
import { QUEUE_STATES, type Badge } from "~/models/desk/queue";
import type { ClockLevel } from "~/models/tickets/sla";
import { tagged } from "../endpoint.server";

const desk = tagged("desk");
const support = tagged("support");

// The maintainer desk and support insurance, for scripts (docs/decisions/016).

// The API named the clock's levels before the app settled on ok | soon | overdue; scripts read
// these words, so the API keeps them and this is the one place they are translated.
const API_BADGE_LEVEL = { ok: "ok", soon: "amber", overdue: "red", paused: "paused", answered: "answered" } as const satisfies Record<
  ClockLevel,
  string
>;

/** A queue item as the API answers it: the badge level in the API's words. */
export const apiQueueItem = <T extends { badge: Badge }>(item: T) => ({
  ...item,
  badge: { ...item.badge, level: API_BADGE_LEVEL[item.badge.level] },
});

const badgeSchema = z.object({
  level: z
    .enum(API_BADGE_LEVEL)
    .describe("amber: a quarter of the clock or less left; red: overdue; answered: the clock stopped at the first response"),
  timeLeftMs: z.number().nullable().describe("Negative once overdue; null once answered"),
  fractionLeft: z.number().nullable(),
  text: z.string(),
});

const queueItemSchema = z.object({
  id: z.string(),
  state: z.enum(QUEUE_STATES),
  stateLabel: z.string(),
  title: z.string(),
  owner: z.string(),
  tier: z.object({ slug: z.string(), name: z.string(), responseHours: z.number().int() }),
  paidAt: z.iso.datetime(),
  deadlineAt: z.iso.datetime(),
  answered: z.boolean(),
  badge: badgeSchema,
  hold: z
    .object({ endsAt: z.iso.datetime(), text: z.string() })
    .nullable()
    .describe("The card hold ends before a decision is due (or within a day): after endsAt the payment can no longer be taken"),
  url: z.string(),
});

export const deskQueueResponse = z
  .object({
    items: z.array(queueItemSchema),
    counts: z.object({
      awaiting_acceptance: z.number().int(),
      open: z.number().int(),
      waiting_on_customer: z.number().int(),
      total: z.number().int(),
    }),
    filters: z.object({ state: z.string().nullable(), tier: z.string().nullable() }),
    tiers: z.array(z.object({ slug: z.string(), name: z.string() })),
    generatedAt: z.iso.datetime(),
  })
  .meta({ id: "DeskQueue" });

export const getDeskQueue = desk("GET /api/v1/desk/queue", {
  summary: "The maintainer's queue: paid open items, least time left first, then the faster tier (404 unless you work the desk)",
  query: deskQueueQuerySchema,
  response: deskQueueResponse,
  errors: [404],
});

const planSchema = z.object({
  id: z.string(),
  name: z.string(),
  priceCents: z.number().int(),
  coverageCents: z.number().int(),
  currency: z.string(),
});

export const insuranceStatusResponse = z
  .object({
    plans: z.array(planSchema).describe("Plans on offer"),
    subscription: z
      .object({
        id: z.string(),
        plan: planSchema,
        status: z.string().describe("active | past_due (a renewal payment failed: not covered until it is paid) | canceled (ended)"),
        provider: z.string(),
        covered: z.boolean().describe("Escalations are paid from the coverage now"),
        cancelAtPeriodEnd: z.boolean().describe("Set not to renew: the balance stays usable until endsAt"),
        renewsAt: z.iso.datetime().nullable().describe("When the plan renews; null if it will not"),
        endsAt: z.iso.datetime().nullable().describe("When a plan that will not renew ends (or ended)"),
        endedAt: z.iso.datetime().nullable(),
        balanceCents: z.number().int().describe("The sum of the ledger"),
        ledger: z.array(
          z.object({
            id: z.string(),
            amountCents: z.number().int(),
            kind: z.enum(["credit", "debit", "refund", "lapse"]),
            label: z.string(),
            escalationId: z.string().nullable(),
            createdAt: z.iso.datetime(),
          }),
        ),
      })
      .nullable(),
    pendingCheckout: z.boolean(),
  })
  .meta({ id: "InsuranceStatus" });

export const getInsurance = support("GET /api/v1/insurance", {
  summary: "Your support insurance: plan, renewal date, balance and its ledger",
  response: insuranceStatusResponse,
  errors: [403],
});

export const setInsuranceRenewal = support("PUT /api/v1/insurance/renewal", {
  summary:
    "Turn your plan's renewal off (`renew: false`, the \"don't renew\" of the /insurance page) or back on; Stripe is told first. The coverage stays usable until the period ends",
  body: z.object({ renew: z.boolean({ error: "Say whether the plan should renew: true or false." }) }).meta({ id: "InsuranceRenewal" }),
  response: insuranceStatusResponse,
  errors: [403, 409, 502],
});
