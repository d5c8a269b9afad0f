// Engines mark matches with private-use characters that never occur in indexed
// text (documents are stripped of them). Only after the whole excerpt is
// HTML-escaped are the markers turned into <mark> tags, so nothing a user wrote
// can become markup (D6).
export const MARK_START = "\uE000";
export const MARK_END = "\uE001";
/** Stands in for "<" while PostgreSQL builds a headline, which would otherwise drop anything tag-like. */
export const LESS_THAN = "\uE002";

const MARKERS = /[\uE000-\uE002]/g;

export const stripMarkers = (text: string) => text.replace(MARKERS, "");

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Marked text → escaped HTML with balanced <mark> elements. */
export function markedToHtml(marked: string): string {
  let open = false;
  let html = "";
  for (const part of marked.replaceAll(LESS_THAN, "<").split(/([\uE000\uE001])/)) {
    if (part === MARK_START) {
      if (!open) html += "<mark>";
      open = true;
    } else if (part === MARK_END) {
      if (open) html += "</mark>";
      open = false;
    } else {
      html += escapeHtml(part);
    }
  }
  return open ? `${html}</mark>` : html;
}

/** The first `maxChars` of a text, cut at a word boundary, escaped, for results without a match to show. */
export function leadingExcerpt(text: string, maxChars = 220): string {
  const clean = stripMarkers(text).replace(/\s+/g, " ").trim();
  if (clean.length <= maxChars) return escapeHtml(clean);
  const cut = clean.slice(0, maxChars);
  const space = cut.lastIndexOf(" ");
  return `${escapeHtml(space > maxChars / 2 ? cut.slice(0, space) : cut)}…`;
}
