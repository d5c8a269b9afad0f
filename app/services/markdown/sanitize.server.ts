import sanitizeHtml from "sanitize-html";

export interface RenderPolicy {
  allowLinks: boolean;
  allowImages: boolean;
  siteOrigin: string;
}

const EXTERNAL_REL = "nofollow ugc noopener";
const MENTION_HREF = /^\/u\/[a-zA-Z0-9_]{3,30}$/;

const ALLOWED_TAGS = [
  "p",
  "br",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "em",
  "del",
  "s",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
  "a",
  "img",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "sup",
  "sub",
  "kbd",
  "details",
  "summary",
  // Harmless inline formatting people type by hand; shown as text, they would only surprise.
  "b",
  "i",
  "u",
  "ins",
  "mark",
  "small",
  "dl",
  "dt",
  "dd",
];

/** Tags an author may write as raw HTML; everything else is shown as text (docs/decisions/027). */
export function rawHtmlTags(allowImages: boolean): ReadonlySet<string> {
  // A raw <img> that may not be shown is shown as the text the author typed.
  return new Set(allowImages ? ALLOWED_TAGS : ALLOWED_TAGS.filter((tag) => tag !== "img"));
}

// Parse like a browser would (it strips tabs/newlines and resolves `/\host`),
// so the internal/external decision matches where the click actually goes.
function resolve(href: string, base?: string): URL | null {
  try {
    return new URL(href, base);
  } catch {
    return null;
  }
}

export function absoluteHttpUrl(value: string): URL | null {
  const url = resolve(value);
  return url && (url.protocol === "http:" || url.protocol === "https:") ? url : null;
}

function isMention(attribs: Record<string, string>): boolean {
  return attribs.class === "mention" && MENTION_HREF.test(attribs.href ?? "");
}

function isExternal(href: string, siteOrigin: string): boolean {
  const url = resolve(href, siteOrigin);
  // Unparseable hrefs get the cautious treatment.
  if (!url) return true;
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return url.host !== new URL(siteOrigin).host;
}

export function sanitizeRenderedHtml(html: string, policy: RenderPolicy): string {
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ["href", "title", "rel", "class"],
      img: ["src", "alt", "title"],
      code: ["class"],
      ol: ["start"],
      th: ["align"],
      td: ["align"],
      details: ["open"],
    },
    // Keep syntax-highlighting hints, and the mention marker, nothing else.
    allowedClasses: {
      code: [/^language-[a-z0-9+#_-]+$/i],
      a: ["mention"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
    allowProtocolRelative: false,
    // Disallowed tags were already turned into text before this (raw-html.server.ts);
    // should one still arrive, it is shown escaped, and never takes text with it.
    disallowedTagsMode: "escape",
    nonTextTags: [],
    // Tags are never renamed here: sanitize-html mis-closes renamed tags that
    // end up disallowed. Removal goes through exclusiveFilter instead.
    transformTags: {
      a: (tagName, attribs) => {
        const { href = "", rel, class: _class, ...rest } = attribs;
        const out: Record<string, string> = { ...rest, href };
        // Only real profile links may look like a mention.
        if (isMention(attribs)) out.class = "mention";
        // Users may not opt out of nofollow on outbound links.
        if (isExternal(href, policy.siteOrigin)) out.rel = EXTERNAL_REL;
        else if (rel) out.rel = rel;
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        // Only absolute http(s) images: relative ones would hit our own routes.
        const { src = "", ...rest } = attribs;
        const url = absoluteHttpUrl(src);
        return { tagName, attribs: url ? { ...rest, src: url.href } : rest };
      },
    },
    exclusiveFilter: (frame) => {
      if (frame.tag === "a" && !policy.allowLinks && !isMention(frame.attribs)) {
        return "excludeTag"; // keep the link text, lose the link
      }
      // Markdown images already became alt text in the renderer; this only
      // catches raw-HTML <img>.
      return frame.tag === "img" && (!policy.allowImages || !frame.attribs.src);
    },
  });
}
