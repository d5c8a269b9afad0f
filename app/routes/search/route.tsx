import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigation } from "@remix-run/react";
import { listCategories } from "~/models/community/category.server";
import { enforceSearchRate, searchForum, searchQuerySchema, type SearchParams } from "~/models/community/search.server";
import { getUser, limitSubject } from "~/services/auth.server";
import styles from "~/styles/search.css";
import { forPage } from "~/utils/page-errors.server";
import { siteOrigin } from "~/utils/url.server";
import { seoMeta } from "~/utils/seo";
import { Facet } from "./facet";
import { href } from "./href";
import { SearchHits, SearchPager } from "./results";
import { SearchForm } from "./search-form";
import { plural } from "~/utils/text";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

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

export default function SearchPage() {
  const { params, result, categoryNames } = useLoaderData<typeof loader>();
  const searching = useNavigation().state === "loading";
  const solvedParam = params.solved === undefined ? undefined : String(params.solved);
  const hasQuery = params.q.trim() !== "";
  const filtered = Boolean(params.category || params.tag || params.author || params.from || params.to || params.solved !== undefined);

  return (
    <div className="search-page stack">
      <h1>Search</h1>
      <SearchForm params={params} searching={searching} />

      {!hasQuery && !filtered ? (
        <p className="search-empty">Type a few words, a product version or an error message. Typos are fine.</p>
      ) : (
        <div className="search-layout">
          <aside className="facets" aria-label="Filters">
            <Facet
              title="Category"
              param="category"
              values={result.facets.category}
              selected={params.category}
              params={params}
              label={(slug) => categoryNames[slug] ?? slug}
            />
            <Facet
              title="Status"
              param="solved"
              values={result.facets.solved}
              selected={solvedParam}
              params={params}
              label={(v) => (v === "true" ? "Solved" : "Unsolved")}
            />
            <Facet title="Tags" param="tag" values={result.facets.tag} selected={params.tag} params={params} />
            <Facet title="People" param="author" values={result.facets.author} selected={params.author} params={params} />
            {filtered ? (
              <p>
                <Link
                  to={href(params, {
                    category: undefined,
                    tag: undefined,
                    author: undefined,
                    solved: undefined,
                    from: undefined,
                    to: undefined,
                  })}
                >
                  Clear filters
                </Link>
              </p>
            ) : null}
          </aside>
          <section aria-labelledby="results-heading" aria-busy={searching}>
            <h2 id="results-heading" className="results-count" aria-live="polite">
              {result.total === 0 ? "No threads found" : `${plural(result.total, "thread")}${hasQuery ? ` for “${params.q.trim()}”` : ""}`}
            </h2>
            {result.total === 0 ? (
              <div className="search-empty">
                <p>
                  Try fewer or different words{filtered ? ", or clear the filters" : ""}. Nothing here?{" "}
                  <Link to="/new">Ask the community</Link>.
                </p>
              </div>
            ) : (
              <SearchHits hits={result.hits} params={params} />
            )}
            <SearchPager page={result.page} pages={result.pages} params={params} />
          </section>
        </div>
      )}
    </div>
  );
}
