// Raw HTML in a post is kept only where it is a complete tag on the allow-list;
// every other "<" becomes text before any HTML parser sees it. An HTML parser
// reads what follows <textarea>, <title>, <xmp>, <plaintext>, <!--, <![CDATA[ …
// as the content of that element (up to its end tag, or to the end of the post),
// so dropping a disallowed element would drop everything the author wrote after
// it (docs/decisions/027).

// A whole start or end tag, attribute values quoted or not (the shape marked
// itself uses for inline HTML). A tag cut short (`<p title="…` without its
// quote or `>`) does not match, and is shown as text like any other "<".
const COMPLETE_TAG =
  /<\/?([a-zA-Z][a-zA-Z0-9-]*)(?:[\t\n\f\r ]+[a-zA-Z_:][\w.:-]*(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:[^\t\n\f\r "'=<>`]+|'[^']*'|"[^"]*"))?)*[\t\n\f\r ]*\/?>/y;

/** Length of the allowed tag starting at `index` of `text`, or 0 when there is none. */
export function allowedTagLength(text: string, index: number, allowed: ReadonlySet<string>): number {
  COMPLETE_TAG.lastIndex = index;
  const match = COMPLETE_TAG.exec(text);
  return match && allowed.has(match[1].toLowerCase()) ? match[0].length : 0;
}

/** Every "<" that does not open an allowed, complete tag becomes `&lt;`. */
export function escapeDisallowedTags(html: string, allowed: ReadonlySet<string>): string {
  let out = "";
  let from = 0;
  for (let at = html.indexOf("<"); at !== -1; at = html.indexOf("<", from)) {
    const length = allowedTagLength(html, at, allowed);
    out += html.slice(from, at) + (length ? html.slice(at, at + length) : "&lt;");
    from = at + (length || 1);
  }
  return out + html.slice(from);
}
