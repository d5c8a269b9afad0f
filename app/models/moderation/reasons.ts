import { z } from "zod";
import { badRequest } from "~/utils/errors";
import { hasVisibleText, emptyOrVisible, NOTHING_VISIBLE } from "~/utils/text";

// The reasons a moderator gives; they are kept in the audit log and shown to the author.

const reasonText = z.string().trim().max(500, "At most 500 characters.").refine(emptyOrVisible, NOTHING_VISIBLE);
const requiredReason = z
  .string({ error: "Give a reason; it is kept in the audit log." })
  .trim()
  .min(3, "Give a reason of a few words; it is kept in the audit log.")
  .max(500, "At most 500 characters.")
  .refine(hasVisibleText, NOTHING_VISIBLE);

export const requiredReasonSchema = z.object({ reason: requiredReason }).meta({ id: "ModerationReason" });
export const optionalReasonSchema = z
  .object({ reason: reasonText.optional().transform((v) => v || undefined) })
  .meta({ id: "OptionalModerationReason" });
export const moveThreadSchema = z
  .object({ category: z.string({ error: "Choose a category." }).trim().min(1, "Choose a category."), reason: requiredReason })
  .meta({ id: "MoveThread" });

export const missingReason = () =>
  badRequest("Give a reason; it is kept in the audit log.", { reason: "Give a reason; it is kept in the audit log." });
