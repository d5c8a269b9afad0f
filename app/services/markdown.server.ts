import { Marked, Tokenizer, type Token } from "marked";
import { linkMentions, mentionRenderer, type MentionToken } from "./markdown/mentions.server";
import { allowedTagLength, escapeDisallowedTags } from "./markdown/raw-html.server";
import { absoluteHttpUrl, rawHtmlTags, sanitizeRenderedHtml, type RenderPolicy } from "./markdown/sanitize.server";

export type RenderMarkdownOptions = RenderPolicy;

/**
 * Raise this whenever a change here or in ./markdown/ changes what stored HTML
 * would be: every stored render is then made again from its Markdown once, in
 * the background (app/models/community/rerender.server.ts, docs/decisions/027).
 * 2: disallowed tags are shown as text instead of swallowing what follows them.
 */
export const RENDERER_VERSION = 2;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Private instances so other code calling `marked.use()` can never change (or
// make async) what we render here. Images are decided at render time because
// only here do we still know the alt text to show in their place.
function createMarked(allowImages: boolean): Marked {
  const allowed = rawHtmlTags(allowImages);
  return new Marked(
    { gfm: true, async: false },
    {
      // A disallowed tag is not HTML to marked either: it stays text in its
      // paragraph, and the Markdown after it still renders.
      tokenizer: {
        html(src) {
          const lead = src.length - src.trimStart().length;
          return allowedTagLength(src, lead, allowed) ? Tokenizer.prototype.html.call(this, src) : undefined;
        },
        tag(src) {
          return allowedTagLength(src, 0, allowed) ? Tokenizer.prototype.tag.call(this, src) : undefined;
        },
      },
    },
    { extensions: [mentionRenderer], hooks: { processAllTokens: (tokens) => linkMentions(tokens) } },
    {
      renderer: {
        image({ href, tokens }) {
          if (allowImages && absoluteHttpUrl(href)) return false;
          return escapeHtml(this.parser.parseInline(tokens, this.parser.textRenderer));
        },
        // The sanitizer never lets <input> through, so keep the task state as text.
        checkbox: ({ checked }) => (checked ? "☑ " : "☐ "),
      },
    },
  );
}

const withImages = createMarked(true);
const withoutImages = createMarked(false);
const rawTags = { images: rawHtmlTags(true), noImages: rawHtmlTags(false) };

// Raw HTML is still allowed through marked (the sanitizer decides what
// survives), so it has to count when asking "does this post contain links?".
// Deliberately coarse: anything finer (e.g. "<a ... href") backtracks
// quadratically on crafted input.
const RAW_LINK = /<a[\s>]/i;
const RAW_IMAGE = /<img[\s/>]/i;

function walk(source: string, visit: (token: Token) => void): void {
  // lexer() skips hooks, so mentions are linked explicitly.
  withImages.walkTokens(linkMentions(withImages.lexer(source)), visit);
}

/** Markdown -> HTML that is safe to inject with dangerouslySetInnerHTML. */
export function renderMarkdown(source: string, opts: RenderMarkdownOptions): string {
  const html = (opts.allowImages ? withImages : withoutImages).parse(source, { async: false });
  // Inside raw <pre>/<code>/<kbd> marked passes text through unescaped, so the
  // whole output is checked, not only the HTML tokens.
  const rawSafe = escapeDisallowedTags(html, opts.allowImages ? rawTags.images : rawTags.noImages);
  return sanitizeRenderedHtml(rawSafe, opts);
}

/** Unique, lowercased usernames mentioned outside code. */
export function extractMentions(source: string): string[] {
  const names = new Set<string>();
  walk(source, (token) => {
    if (token.type === "mention") names.add((token as MentionToken).username.toLowerCase());
  });
  return [...names];
}

/** Whether a post contains links (incl. bare URLs and emails) or images. */
export function containsLinksOrImages(source: string): { links: boolean; images: boolean } {
  const found = { links: false, images: false };
  walk(source, (token) => {
    if (token.type === "link") found.links = true;
    else if (token.type === "image") found.images = true;
    else if (token.type === "html") {
      if (RAW_LINK.test(token.raw)) found.links = true;
      if (RAW_IMAGE.test(token.raw)) found.images = true;
    }
  });
  return found;
}

export { quoteMarkdown } from "~/utils/quote";
