import { z } from "zod";
import { renderForAuthor } from "~/models/community/content-policy.server";
import { enforce } from "~/models/rate-limit.server";
import { withoutNulls } from "~/utils/text";
import { parseOrThrow } from "~/utils/validation";
import type { Author } from "~/models/types";

// The composer's preview is the post as it would be stored: the same clean-up and trim as bodySchema
// (leading spaces would otherwise turn the first line into a code block the post would not have), the
// same renderer and allow-list sanitizer, and the same trust rules (a link a newcomer may not post yet is
// refused here with the message posting would give). Lengths below the posting minimum are fine: a
// preview of half a sentence is still useful.
export const previewSchema = z
  .object({ body: z.string().overwrite(withoutNulls).trim().max(50_000, "At most 50,000 characters.") })
  .meta({ id: "PreviewInput" });

/** One preview a second on average: typing pauses and toggles, not a free Markdown rendering service. */
export const PREVIEW_LIMIT = { max: 60, windowSeconds: 60 } as const;

export async function previewPost(author: Author, input: unknown) {
  const { body } = parseOrThrow(previewSchema, input);
  await enforce({ key: `preview:${author.id}`, ...PREVIEW_LIMIT, what: "previews" });
  return { html: renderForAuthor(author, body) };
}
