// XML 1.0 forbids most control characters and lone surrogates even when escaped;
// one of them in a post would make the whole feed unreadable, so they are dropped.
const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML element content and double- or single-quoted attributes. */
export function escapeXml(value: string | number): string {
  return String(value)
    .replace(INVALID_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

type Attrs = Record<string, string | number | undefined>;

/** One element with escaped attributes and escaped text content (never raw markup). */
export function el(name: string, attrs: Attrs | null, text?: string | number): string {
  const a = Object.entries(attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v!)}"`)
    .join("");
  return text === undefined ? `<${name}${a}/>` : `<${name}${a}>${escapeXml(text)}</${name}>`;
}

/** An element whose children were built with `el` or `wrap` (already escaped). */
export function wrap(name: string, attrs: Attrs | null, children: string[]): string {
  const a = Object.entries(attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v!)}"`)
    .join("");
  return `<${name}${a}>${children.join("")}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
