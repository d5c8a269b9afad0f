import type { Tokens, TokenizerAndRendererExtension } from "marked";

export interface MentionToken extends Tokens.Generic {
  type: "mention";
  raw: string;
  username: string;
}

// The lookahead stops "@bob@example.com", "@bob.example" and over-long names
// from being read as a shorter mention.
const MENTION = /^@([a-zA-Z0-9_]{3,30})(?![a-zA-Z0-9_@]|\.[a-zA-Z0-9])/;

// A character like this right before "@" means we are in the middle of an
// email address or URL path, not at the start of a mention.
const GLUED_BEFORE = /[\p{L}\p{N}_.+\-/@]/u;

export const mentionExtension: TokenizerAndRendererExtension = {
  name: "mention",
  level: "inline",
  // Tells the text tokenizer where to stop. Stopping at the "@" of an email
  // would cut the address in half and break GFM's email autolinking, so only
  // plausible mention starts are reported.
  start(src) {
    for (const match of src.matchAll(/@[a-zA-Z0-9_]/g)) {
      if (match.index === 0 || !GLUED_BEFORE.test(src[match.index - 1])) return match.index;
    }
    return undefined;
  },
  tokenizer(src, tokens) {
    // A mention is itself a link; nesting it inside another one is invalid HTML.
    if (this.lexer.state.inLink) return undefined;
    const match = MENTION.exec(src);
    if (!match) return undefined;
    const previous = tokens[tokens.length - 1]?.raw.slice(-1) ?? "";
    if (GLUED_BEFORE.test(previous)) return undefined;
    const token: MentionToken = { type: "mention", raw: match[0], username: match[1] };
    return token;
  },
  renderer(token) {
    // Safe to interpolate: MENTION only ever captures [a-zA-Z0-9_].
    const { username } = token as MentionToken;
    return `<a href="/u/${username}" class="mention">@${username}</a>`;
  },
};
