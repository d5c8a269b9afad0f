import type { ListFilter, ListSort } from "~/components/thread-list";
import { listThreads, parseListThreadsQuery } from "~/models/community/thread.server";
import { siteOrigin } from "./url.server";

/**
 * The list pages share one query shape: the page fixes some filters (sort,
 * category, tag) and the URL carries the rest (?sort, ?solved, ?cursor).
 */
export async function loadThreadList(request: Request, fixed: { sort?: ListSort; category?: string; tag?: string }) {
  const params = new URL(request.url).searchParams;
  const query = parseListThreadsQuery({
    category: fixed.category,
    tag: fixed.tag,
    sort: fixed.sort ?? params.get("sort") ?? undefined,
    solved: params.get("solved") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
  });
  const result = await listThreads(query);
  const filter: ListFilter = { sort: query.sort, solved: query.solved, cursor: query.cursor };
  return { threads: result.threads, total: result.total, nextCursor: result.nextCursor, filter, origin: siteOrigin() };
}
