import type { ListFilter, ListSort } from "~/components/thread-list";
import { listThreads } from "~/models/community/thread.server";
import { siteOrigin } from "./url.server";

/**
 * The list pages share one query shape: the page fixes some filters (sort,
 * category, tag) and the URL carries the rest (?sort, ?solved, ?cursor).
 */
export async function loadThreadList(request: Request, fixed: { sort?: ListSort; category?: string; tag?: string }) {
  const params = new URL(request.url).searchParams;
  const solved = params.get("solved") ?? undefined;
  const cursor = params.get("cursor") ?? undefined;
  const sort = fixed.sort ?? params.get("sort") ?? "latest";
  const result = await listThreads({ category: fixed.category, tag: fixed.tag, sort, solved, cursor });
  const filter: ListFilter = {
    sort: sort as ListSort,
    solved: solved === undefined ? undefined : solved === "true",
    cursor,
  };
  return { threads: result.threads, total: result.total, nextCursor: result.nextCursor, filter, origin: siteOrigin() };
}
