// Shared by the server and the browser's Quote button.
/** A reply prefill quoting `source`, attributed to `author`. */
export function quoteMarkdown(author: string, source: string): string {
  // The author lands inside Markdown, so keep only username characters.
  const name = author.replace(/[^a-zA-Z0-9_]/g, "");
  const lines = source.replace(/\r\n?/g, "\n").trimEnd().split("\n");
  // The bare ">" separates the attribution from the quoted paragraph, which
  // would otherwise be merged into the same line.
  const quoted = [`**@${name} wrote:**`, "", ...lines].map((line) => (line ? `> ${line}` : ">"));
  return `${quoted.join("\n")}\n\n`;
}
