import { Link } from "@remix-run/react";
import { Time } from "~/components/time";
import { href, type Params, type Result } from "./href";

/** The hits, title and snippet with the matched words marked. */
export function SearchHits({ hits, params }: { hits: Result["hits"]; params: Params }) {
  return (
    <ol className="search-results">
      {hits.map((hit) => (
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
              <Link key={t} to={href(params, { tag: t })} className="tag">
                {t}
              </Link>
            ))}
            <span>by {hit.author}</span>
            <Time value={hit.createdAt} relative />
          </p>
        </li>
      ))}
    </ol>
  );
}

/** Previous and next result pages; no further than page 50. */
export function SearchPager({ page, pages, params }: { page: number; pages: number; params: Params }) {
  if (pages <= 1) return null;
  const last = Math.min(pages, 50);
  return (
    <nav className="pager" aria-label="Result pages">
      {page > 1 ? (
        <Link to={href(params, { page: page - 1 })} rel="prev">
          ← Previous
        </Link>
      ) : (
        <span />
      )}
      <span>
        Page {page} of {last}
      </span>
      {page < last ? (
        <Link to={href(params, { page: page + 1 })} rel="next">
          Next →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
