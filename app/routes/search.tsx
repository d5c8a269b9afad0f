import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { Time } from "~/components/time";
import { listCategories } from "~/models/community/category.server";
import { enforceSearchRate, searchForum, searchQuerySchema, type SearchParams } from "~/models/community/search.server";
import { getUser, limitSubject } from "~/services/auth.server";
import styles from "~/styles/search.css";
import { forPage } from "~/utils/page-errors.server";
import { siteOrigin } from "~/utils/url.server";
import { seoMeta } from "~/utils/seo";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

const FILTER_KEYS = ["q", "category", "tag", "solved", "author", "from", "to", "sort", "page"] as const;

/** The search page never fails on a hand-edited URL: fields that do not parse are dropped. */
function lenientParams(url: URL): SearchParams {
  const raw = Object.fromEntries(url.searchParams);
  const parsed = searchQuerySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return searchQuerySchema.parse(Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k))));
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const params = lenientParams(url);
  const user = await getUser(request);
  return forPage(async () => {
    await enforceSearchRate(limitSubject(request, user));
    const [result, categories] = await Promise.all([searchForum({ ...params, perPage: 20 }, user), listCategories()]);
    return {
      params,
      result,
      categoryNames: Object.fromEntries(categories.map((c) => [c.slug, c.name])),
      origin: siteOrigin(),
    };
  });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const q = data?.params.q.trim();
  return seoMeta({
    title: q ? `Search: ${q.slice(0, 80)}` : "Search",
    description: "Search the Backline community's questions and answers.",
    url: `${data?.origin ?? ""}/search`,
    noindex: true,
  });
};

type Params = ReturnType<typeof useLoaderData<typeof loader>>["params"];

/** The current search with some fields changed; page resets unless given. */
function href(params: Params, change: Partial<Record<(typeof FILTER_KEYS)[number], string | number | boolean | undefined>>) {
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

function Facet({ title, values, selected, param, params, label }: {
  title: string;
  values: { value: string; count: number }[];
  selected: string | undefined;
  param: "category" | "tag" | "author" | "solved";
  params: Params;
  label?: (value: string) => string;
}) {
  if (!values.length && !selected) return null;
  return (
    <section className="facet" aria-label={title}>
      <h2 className="h3">{title}</h2>
      <ul>
        {selected && !values.some((v) => v.value === selected) ? (
          <li>
            <Link to={href(params, { [param]: undefined })} aria-current="true">{label ? label(selected) : selected} <span className="count">×</span></Link>
          </li>
        ) : null}
        {values.map((v) => {
          const active = selected === v.value;
          return (
            <li key={v.value}>
              <Link to={href(params, { [param]: active ? undefined : v.value })} aria-current={active ? "true" : undefined}>
                {label ? label(v.value) : v.value} <span className="count">{active ? "×" : v.count}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export default function SearchPage() {
  const { params, result, categoryNames } = useLoaderData<typeof loader>();
  const searching = useNavigation().state === "loading";
  const solvedParam = params.solved === undefined ? undefined : String(params.solved);
  const hasQuery = params.q.trim() !== "";
  const filtered = Boolean(params.category || params.tag || params.author || params.from || params.to || params.solved !== undefined);
  const { page, pages } = result;

  return (
    <div className="search-page stack">
      <h1>Search</h1>
      <Form method="get" action="/search" role="search" className="search-form card" aria-label="Search the forum">
        <div className="search-row">
          <label htmlFor="search-q" className="visually-hidden">Search for</label>
          <input id="search-q" type="search" name="q" defaultValue={params.q} placeholder="What are you looking for?"
            maxLength={2000} autoComplete="off" key={params.q} />
          <button type="submit" disabled={searching}>Search</button>
        </div>
        <div className="search-options">
          <label>
            Sort{" "}
            <select name="sort" defaultValue={params.sort}>
              <option value="relevance">Best match</option>
              <option value="newest">Newest</option>
            </select>
          </label>
          <label>
            From <input type="date" name="from" defaultValue={params.from ?? ""} />
          </label>
          <label>
            To <input type="date" name="to" defaultValue={params.to ?? ""} />
          </label>
          {params.category ? <input type="hidden" name="category" value={params.category} /> : null}
          {params.tag ? <input type="hidden" name="tag" value={params.tag} /> : null}
          {params.author ? <input type="hidden" name="author" value={params.author} /> : null}
          {solvedParam ? <input type="hidden" name="solved" value={solvedParam} /> : null}
        </div>
      </Form>

      {!hasQuery && !filtered ? (
        <p className="search-empty">Type a few words, a product version or an error message. Typos are fine.</p>
      ) : (
        <div className="search-layout">
          <aside className="facets" aria-label="Filters">
            <Facet title="Category" param="category" values={result.facets.category} selected={params.category} params={params}
              label={(slug) => categoryNames[slug] ?? slug} />
            <Facet title="Status" param="solved" values={result.facets.solved} selected={solvedParam} params={params}
              label={(v) => (v === "true" ? "Solved" : "Unsolved")} />
            <Facet title="Tags" param="tag" values={result.facets.tag} selected={params.tag} params={params} />
            <Facet title="People" param="author" values={result.facets.author} selected={params.author} params={params} />
            {filtered ? <p><Link to={href(params, { category: undefined, tag: undefined, author: undefined, solved: undefined, from: undefined, to: undefined })}>Clear filters</Link></p> : null}
          </aside>
          <section aria-labelledby="results-heading" aria-busy={searching}>
            <h2 id="results-heading" className="results-count" aria-live="polite">
              {result.total === 0
                ? "No threads found"
                : `${result.total.toLocaleString("en-US")} ${result.total === 1 ? "thread" : "threads"}${hasQuery ? ` for “${params.q.trim()}”` : ""}`}
            </h2>
            {result.total === 0 ? (
              <div className="search-empty">
                <p>Try fewer or different words{filtered ? ", or clear the filters" : ""}. Nothing here? <Link to="/new">Ask the community</Link>.</p>
              </div>
            ) : (
              <ol className="search-results">
                {result.hits.map((hit) => (
                  <li key={hit.threadId} className="search-hit card">
                    <h3>
                      {/* titleHtml and snippet are escaped on the server; only <mark> is added. */}
                      <Link to={hit.url} dangerouslySetInnerHTML={{ __html: hit.titleHtml }} />
                      {hit.solved ? <span className="badge solved">✓ Solved</span> : null}
                    </h3>
                    <p className="snippet">
                      {hit.isAccepted ? <span className="badge solved">Accepted answer</span> : null}{" "}
                      <span dangerouslySetInnerHTML={{ __html: hit.snippet }} />
                    </p>
                    <p className="meta">
                      <Link to={`/c/${hit.category.slug}`}>{hit.category.name}</Link>
                      {hit.tags.map((t) => (
                        <Link key={t} to={href(params, { tag: t })} className="tag">{t}</Link>
                      ))}
                      <span>by {hit.author}</span>
                      <Time value={hit.createdAt} relative />
                    </p>
                  </li>
                ))}
              </ol>
            )}
            {pages > 1 ? (
              <nav className="pager" aria-label="Result pages">
                {page > 1 ? <Link to={href(params, { page: page - 1 })} rel="prev">← Previous</Link> : <span />}
                <span>Page {page} of {Math.min(pages, 50)}</span>
                {page < Math.min(pages, 50) ? <Link to={href(params, { page: page + 1 })} rel="next">Next →</Link> : <span />}
              </nav>
            ) : null}
          </section>
        </div>
      )}
    </div>
  );
}
