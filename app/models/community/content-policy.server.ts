import { getEnv } from "~/env.server";
import { containsLinksOrImages, renderMarkdown } from "~/services/markdown.server";
import { badRequest } from "~/utils/errors";
import { enforce } from "~/models/rate-limit.server";
import { capabilities } from "~/models/community/trust";

type Author = { id: string; trustLevel: number; role: string };

const level = (a: Omit<Author, "id">) => (a.role === "member" ? a.trustLevel : 2);

/** Renders a post body for this author, refusing links or images their trust level does not allow yet. */
export function renderForAuthor(author: Author, body: string, field = "body"): string {
  const can = capabilities(level(author));
  const found = containsLinksOrImages(body);
  if (found.links && !can.links) {
    throw badRequest("New accounts cannot post links yet.", {
      [field]: "New accounts cannot post links yet. Take part for a day or earn a few helpful votes, then try again.",
    });
  }
  if (found.images && !can.images) {
    throw badRequest("Images are for trusted members.", {
      [field]: "Images are for trusted members; link to the image instead, or describe it.",
    });
  }
  return renderMarkdown(body, { allowLinks: can.links, allowImages: can.images, siteOrigin: getEnv().publicUrl });
}

// What a stored render shows was allowed when it was written: a mention is
// allowed to anyone, any other link or an image only by trust level.
const SHOWS_LINK = /<a href="(?!\/u\/[a-zA-Z0-9_]{3,30}" class="mention">)/;
const SHOWS_IMAGE = /<img\s/;

/**
 * Renders a stored body again with the current renderer (docs/decisions/027). Never
 * refuses, and never takes away links or images the stored HTML already showed:
 * the post was accepted when it was written.
 */
export function rerenderForAuthor(author: Omit<Author, "id"> | null, body: string, storedHtml: string): string {
  const can = author ? capabilities(level(author)) : { links: false, images: false };
  const allowLinks = can.links || SHOWS_LINK.test(storedHtml);
  const allowImages = can.images || SHOWS_IMAGE.test(storedHtml);
  return renderMarkdown(body, { allowLinks, allowImages, siteOrigin: getEnv().publicUrl });
}

/** Posting rate per trust level, shared by threads and replies, API and forms. */
export async function enforcePostingRate(author: Author) {
  const perHour = capabilities(level(author), author.role !== "member").postsPerHour;
  await enforce({
    key: `post:${author.id}`,
    max: perHour,
    windowSeconds: 3600,
    what: `posts (limit ${perHour} an hour for your trust level)`,
  });
}

export async function enforceEditRate(author: Author) {
  // Staff tidy other people's posts, so they get a far larger budget.
  const max = author.role === "member" ? 30 : 300;
  await enforce({ key: `edit:${author.id}`, max, windowSeconds: 600, what: "edits" });
}
