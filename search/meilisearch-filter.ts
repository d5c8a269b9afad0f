import { SearchEngineError, type SearchFilters, type ThreadDocuments, type Visibility } from "./engine";

// Meilisearch filter expressions, built from values a visitor typed: every value
// goes through filterValue, so none can add syntax of its own.

/**
 * A value for a Meilisearch filter expression, always double-quoted: a value
 * can never end the string and add syntax of its own (no filter injection).
 */
export function filterValue(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "");
  return `"${clean.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const filterList = (values: string[]) => `[${values.map(filterValue).join(", ")}]`;

function dateNumber(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new SearchEngineError("Invalid date filter.");
  return Math.trunc(ms);
}

/** Filters as Meilisearch expressions, ANDed; visibility always comes first. */
export function buildFilter(filters: SearchFilters, visibility: Visibility[]): string[] {
  const out = [`visibility IN ${filterList(visibility.length ? visibility : ["public"])}`];
  if (filters.category) out.push(`categorySlug = ${filterValue(filters.category)}`);
  for (const tag of filters.tags ?? []) out.push(`tags = ${filterValue(tag)}`);
  if (filters.solved !== undefined) out.push(`solved = ${filters.solved ? "true" : "false"}`);
  if (filters.author) out.push(`authorUsername = ${filterValue(filters.author)}`);
  if (filters.from) out.push(`createdAt >= ${dateNumber(filters.from)}`);
  if (filters.to) out.push(`createdAt < ${dateNumber(filters.to)}`);
  return out;
}

/** Removes, per thread, every document that is no longer part of it. */
export function staleDocumentsFilter(threads: ThreadDocuments[]): string {
  const gone = threads.filter((t) => !t.documents.length).map((t) => t.threadId);
  const parts = threads
    .filter((t) => t.documents.length)
    .map((t) => `(threadId = ${filterValue(t.threadId)} AND postId NOT IN ${filterList(t.documents.map((d) => d.id))})`);
  if (gone.length) parts.unshift(`threadId IN ${filterList(gone)}`);
  return parts.join(" OR ");
}
