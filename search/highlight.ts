import { tokenize, type Token } from "./tokenize";

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

/** Which normalized words count as matches: whole words, or words starting with a prefix. */
export type Matcher = { words: ReadonlySet<string>; prefixes: readonly string[] };

const matches = (m: Matcher, word: string) => m.words.has(word) || m.prefixes.some((p) => word.startsWith(p));

function markRange(text: string, tokens: Token[], from: number, to: number, matcher: Matcher): string {
  let out = "";
  let cursor = tokens[from]!.start;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (!matches(matcher, t.word)) continue;
    out += text.slice(cursor, t.start) + MARK_START + text.slice(t.start, t.end) + MARK_END;
    cursor = t.end;
  }
  return out + text.slice(cursor, tokens[to - 1]!.end);
}

/** The whole text with every matched word marked (for titles). */
export function markAll(text: string, matcher: Matcher): string {
  const tokens = tokenize(text);
  if (!tokens.length) return text;
  return text.slice(0, tokens[0]!.start) + markRange(text, tokens, 0, tokens.length, matcher) + text.slice(tokens.at(-1)!.end);
}

/**
 * About `maxWords` words around the densest cluster of matches, marked, with
 * "…" where the text was cut; the opening words when nothing matched.
 */
export function markExcerpt(text: string, matcher: Matcher, maxWords = 32): string {
  const tokens = tokenize(text);
  if (!tokens.length) return text.replace(/\s+/g, " ").trim().slice(0, 200);
  const hit = tokens.map((t) => matches(matcher, t.word));
  let start = 0;
  let best = -1;
  for (let s = 0; s < tokens.length; s++) {
    if (!hit[s]) continue;
    const seen = new Set<string>();
    for (let i = s; i < Math.min(tokens.length, s + maxWords); i++) if (hit[i]) seen.add(tokens[i]!.word);
    if (seen.size > best) {
      best = seen.size;
      start = s;
    }
  }
  // A little context before the first match.
  start = Math.max(0, start - Math.floor(maxWords / 4));
  const end = Math.min(tokens.length, start + maxWords);
  const body = markRange(text, tokens, start, end, matcher).replace(/\s+/g, " ").trim();
  return `${start > 0 ? "… " : ""}${body}${end < tokens.length ? " …" : ""}`;
}
