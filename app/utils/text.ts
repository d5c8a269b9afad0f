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
  return text.normalize("NFC").replace(CONTROL, " ").replace(BIDI_CONTROLS, "").replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
}

/** Multi-line text (Markdown): only the null character goes, which PostgreSQL cannot store in text. */
export const withoutNulls = (text: string) => text.replace(/\u0000/g, "");

// Characters that draw nothing on their own: separators and spaces, control and
// format characters (zero-width space and joiners, U+2060, U+FEFF, U+180E),
// combining marks with nothing to combine with, default-ignorable code points
// (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors) and the
// blank Braille pattern U+2800. A title of eight U+3164 is eight characters long
// and looks empty everywhere it is shown.
const DRAWS_NOTHING = /[\p{Z}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\s\u2800]/gu;

export const NOTHING_VISIBLE = "Write something visible: blank and invisible characters alone do not count.";

/** Whether text shows at least one character a reader can see. The one rule for every text people write. */
export const hasVisibleText = (text: string) => text.replace(DRAWS_NOTHING, "").length > 0;

const DRAWS_NOTHING_RUN = new RegExp(`${DRAWS_NOTHING.source}+`, "gu");

/** Length as a reader sees it: each run of characters that draw nothing counts as one space. */
export const visibleLength = (text: string) => text.replace(DRAWS_NOTHING_RUN, " ").trim().length;

/**
 * A minimum length that fillers cannot pad: "ab" and six U+3164 is eight characters long and
 * shows two. Text that shows nothing at all is left to hasVisibleText's message.
 */
export const showsAtLeast = (min: number) => (text: string) => !hasVisibleText(text) || visibleLength(text) >= min;

/** For optional text: empty means "none" and is fine; text that only looks empty is not. */
export const emptyOrVisible = (text: string) => text === "" || hasVisibleText(text);

/** The noun for a count: "reply" for 1, "replies" otherwise (pass the plural when it is not noun + "s"). */
export const nounFor = (count: number, one: string, many = `${one}s`) => (count === 1 ? one : many);

/** "1 reply", "2 replies", "0 posts": the one place counts meet nouns. */
export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString("en-US")} ${nounFor(count, one, many)}`;
