import type { useLoaderData } from "@remix-run/react";
import type { loader } from "./route";

export type Params = ReturnType<typeof useLoaderData<typeof loader>>["params"];
export type Result = ReturnType<typeof useLoaderData<typeof loader>>["result"];

const FILTER_KEYS = ["q", "category", "tag", "solved", "author", "from", "to", "sort", "page"] as const;
export type FilterChange = Partial<Record<(typeof FILTER_KEYS)[number], string | number | boolean | undefined>>;

/** The current search with some fields changed; page resets unless given. */
export function href(params: Params, change: FilterChange) {
  const next: Record<string, string> = {};
  const merged = { ...params, page: undefined, ...change } as Record<string, unknown>;
  for (const key of FILTER_KEYS) {
    const v = merged[key];
    if (v === undefined || v === "" || (key === "sort" && v === "relevance") || (key === "page" && v === 1)) continue;
    next[key] = String(v);
  }
  const qs = new URLSearchParams(next).toString();
  return qs ? `/search?${qs}` : "/search";
}
