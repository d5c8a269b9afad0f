// One-line text others read (titles, names): what is stored is what is seen.
// Bidi controls can make "‮gpj.exe" read as "exe.jpg" and reorder a title
// around them; zero-width characters make two titles or names that look the same
// differ. Both go, as do control characters (a title is one line).
// Kept: ZWJ and ZWNJ (U+200D, U+200C), which emoji and Persian script need.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const INVISIBLE = /[\u200b\u2060\ufeff]/g;

/** NFC, without controls, bidi controls or zero-width spaces, single spaces, trimmed. */
export function cleanLine(text: string): string {
  return text
    .normalize("NFC")
    .replace(CONTROL, " ")
    .replace(BIDI_CONTROLS, "")
    .replace(INVISIBLE, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Multi-line text (Markdown): only the null character goes, which PostgreSQL cannot store in text. */
export const withoutNulls = (text: string) => text.replace(/\u0000/g, "");
