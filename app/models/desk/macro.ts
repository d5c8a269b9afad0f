// Canned replies (docs/product.md §5): an admin writes a macro once with placeholders,
// and it is rendered for one ticket when a maintainer picks it. Pure, so the
// rules are tested directly: values are escaped for Markdown (a username like
// "_x_" stays literal), URLs become autolinks, unknown placeholders stay
// visible so a typo is noticed before sending.

export const MACRO_PLACEHOLDERS = {
  "member.username": "The ticket owner's username",
  "thread.title": "The public thread's title",
  "thread.url": "The public thread's address",
  "ticket.tier": "The support tier's name",
  "ticket.url": "The ticket's address",
  "maintainer.username": "Your username",
} as const;

export type MacroValues = Partial<Record<keyof typeof MACRO_PLACEHOLDERS, string>> & Record<string, string | undefined>;

const PLACEHOLDER = /\{\{\s*([a-zA-Z][\w]*(?:\.[a-zA-Z][\w]*)*)\s*\}\}/g;

/**
 * A backslash before every character Markdown could read as inline syntax or
 * HTML, and before what would start a list or heading; the text stays
 * readable in the reply box ("3.2" is left alone).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/[\\`*_{}[\]()#!|<>~&]/g, "\\$&")
    .replace(/^([-+=])/, "\\$1")
    .replace(/^(\d+)([.)])(\s|$)/, "$1\\$2$3");
}

/** An autolink: Markdown reads <…> as a link with the text shown as is. */
export function markdownUrl(url: string): string {
  return `<${url.replace(/[\s<>]/g, (c) => encodeURIComponent(c))}>`;
}

export function renderMacro(body: string, values: MacroValues): string {
  return body.replace(PLACEHOLDER, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) return whole;
    return key.endsWith(".url") ? markdownUrl(value) : escapeMarkdown(value);
  });
}

/** Placeholders a body uses that no ticket can fill: shown to the admin as a warning. */
export function unknownPlaceholders(body: string): string[] {
  const unknown = new Set<string>();
  for (const m of body.matchAll(PLACEHOLDER)) if (!(m[1]! in MACRO_PLACEHOLDERS)) unknown.add(m[1]!);
  return [...unknown];
}
