import type { RendererExtension, Token, Tokens } from "marked";

export interface MentionToken extends Tokens.Generic {
  type: "mention";
  raw: string;
  username: string;
}

// The lookbehind skips the "@" of email addresses and URL paths
// ("bob@host", "medium.com/@bob"); the lookahead stops "@bob@host",
// "@bob.example" and over-long names from being read as a shorter mention.
const MENTION = /(?<![\p{L}\p{N}_.+\-/@])@([a-zA-Z0-9_]{3,30})(?![a-zA-Z0-9_@]|\.[a-zA-Z0-9])/gu;

// Mentions are found on the lexed tokens rather than with an inline
// tokenizer: marked calls a tokenizer's `start()` on every remaining suffix,
// which made posts like "a@a@a@..." quadratic. Working on finished text
// tokens is linear and, by construction, never sees code.
function splitMentions(text: string): Token[] | null {
  const parts: Token[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const before = text.slice(last, match.index);
    if (before) parts.push({ type: "text", raw: before, text: before, escaped: false });
    const mention: MentionToken = { type: "mention", raw: match[0], username: match[1] };
    parts.push(mention);
    last = match.index + match[0].length;
  }
  if (!parts.length) return null;
  const rest = text.slice(last);
  if (rest) parts.push({ type: "text", raw: rest, text: rest, escaped: false });
  return parts;
}

function childLists(token: Token): Token[][] {
  switch (token.type) {
    case "list":
      return [token.items];
    case "table":
      return [...token.header, ...token.rows.flat()].map((cell) => cell.tokens);
    default:
      return "tokens" in token && Array.isArray(token.tokens) ? [token.tokens] : [];
  }
}

/** Turns @name in plain text into mention tokens, in place. */
export function linkMentions(tokens: Token[], insideLink = false): Token[] {
  // Raw-HTML anchors arrive as separate open/close `html` tokens.
  let insideRawLink = false;
  for (const token of tokens) {
    if (token.type === "html") {
      if (/^<a[\s>]/i.test(token.raw)) insideRawLink = true;
      else if (/^<\/a\s*>/i.test(token.raw)) insideRawLink = false;
      continue;
    }
    // A mention is itself a link: it cannot nest inside another one, and an
    // image's alt text is plain text.
    const linked = insideLink || insideRawLink || token.type === "link" || token.type === "image";
    if (token.type === "text" && !token.tokens && !token.escaped) {
      const parts = linked ? null : splitMentions(token.text);
      // Text renders its `tokens` instead of `text` when present.
      if (parts) token.tokens = parts;
      continue;
    }
    for (const children of childLists(token)) linkMentions(children, linked);
  }
  return tokens;
}

export const mentionRenderer: RendererExtension = {
  name: "mention",
  renderer(token) {
    // Safe to interpolate: MENTION only ever captures [a-zA-Z0-9_].
    const { username } = token as MentionToken;
    return `<a href="/u/${username}" class="mention">@${username}</a>`;
  },
};
