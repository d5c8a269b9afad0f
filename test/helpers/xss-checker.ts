import { expect } from "vitest";

// Reads every tag of rendered HTML and fails on anything that could execute.
const ALLOWED_TAGS = new Set([
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
]);

const NAMED_ENTITIES: Record<string, string> = {
  colon: ":",
  tab: "\t",
  newline: "\n",
  sol: "/",
  lpar: "(",
  rpar: ")",
  quot: '"',
  apos: "'",
  lt: "<",
  gt: ">",
  amp: "&",
  nbsp: "\u00a0",
};

function codePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : "";
}

// Decode like a browser reading an attribute (repeat, in case of &amp;#...).
function decodeEntities(value: string): string {
  let previous: string;
  let current = value;
  do {
    previous = current;
    current = current
      .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => codePoint(parseInt(hex, 16)))
      .replace(/&#(\d+);?/g, (_, dec: string) => codePoint(Number(dec)))
      .replace(/&([a-z]+);/gi, (m, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? m);
  } while (current !== previous);
  return current;
}

interface Tag {
  name: string;
  attrs: Array<{ name: string; value: string }>;
}

const TAG = /<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;

export function parseTags(html: string): Tag[] {
  const tags: Tag[] = [];
  for (const [, name, body] of html.matchAll(TAG)) {
    const attrs = [...body.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)].map(([, attr, dq, sq, bare]) => ({
      name: attr.toLowerCase(),
      value: dq ?? sq ?? bare ?? "",
    }));
    tags.push({ name: name.toLowerCase(), attrs });
  }
  return tags;
}

export function expectNoExecutableContent(html: string): void {
  for (const tag of ["script", "iframe", "svg", "object", "embed", "form", "input", "style", "math"]) {
    expect(html).not.toMatch(new RegExp(`<${tag}`, "i"));
  }
  for (const tag of parseTags(html)) {
    expect(ALLOWED_TAGS.has(tag.name), `unexpected <${tag.name}>`).toBe(true);
    for (const attr of tag.attrs) {
      expect(attr.name, `event handler on <${tag.name}>`).not.toMatch(/^on\w+/i);
      expect(attr.name).not.toBe("style");
      expect(attr.name).not.toBe("target");
    }
  }
  // "onerror=" may legitimately appear as escaped text inside a title, so
  // look at tag markup with the quoted values blanked out.
  const markup = [...html.matchAll(TAG)].map(([tag]) => tag.replace(/"[^"]*"|'[^']*'/g, '""')).join("\n");
  expect(markup).not.toMatch(/\son\w+\s*=/i);
  expect(markup).not.toMatch(/\sstyle\s*=/i);
  // URLs of real attributes, quoted either way or not at all; a tag shown as
  // escaped text ("&lt;embed src=…&gt;") is text, not a URL.
  for (const tag of parseTags(html)) {
    for (const { name: attr, value: raw } of tag.attrs.filter((a) => a.name === "href" || a.name === "src")) {
      const url = decodeEntities(raw).replace(/[\u0000-\u0020\u007f-\u009f\s]/g, "");
      expect(url, `${attr}="${raw}"`).not.toMatch(/^(javascript|vbscript|data):/i);
      expect(url, `${attr}="${raw}"`).not.toMatch(/^[/\\]{2}/);
    }
  }
}
