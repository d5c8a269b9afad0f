import { Form } from "@remix-run/react";
import type { Params } from "./href";

/** The query, sort and dates; the chosen facets ride along as hidden fields. */
export function SearchForm({ params, searching }: { params: Params; searching: boolean }) {
  const solvedParam = params.solved === undefined ? undefined : String(params.solved);
  return (
    <Form method="get" action="/search" role="search" className="search-form card" aria-label="Search the forum">
      <div className="search-row">
        <label htmlFor="search-q" className="visually-hidden">
          Search for
        </label>
        <input
          id="search-q"
          type="search"
          name="q"
          defaultValue={params.q}
          placeholder="What are you looking for?"
          maxLength={2000}
          autoComplete="off"
          key={params.q}
        />
        <button type="submit" disabled={searching}>
          Search
        </button>
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
  );
}
