import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { threadListLinks } from "~/components/thread-list";
import { listTags } from "~/models/community/tag-directory.server";
import { forPage } from "~/utils/page-errors.server";
import { seoMeta } from "~/utils/seo";
import { siteOrigin } from "~/utils/url.server";
import { plural } from "~/utils/text";

export const links = threadListLinks;

export const loader = ({ request }: LoaderFunctionArgs) =>
  forPage(async () => {
    const q = new URL(request.url).searchParams.get("q") ?? "";
    return { q, tags: await listTags({ q: q || undefined }), origin: siteOrigin() };
  });

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  seoMeta({
    title: "Tags",
    description: "Every topic the community talks about, by number of threads.",
    url: `${data?.origin ?? ""}/tags`,
    noindex: Boolean(data?.q),
  });

export default function Tags() {
  const { q, tags } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <header className="list-header">
        <h1>Tags</h1>
        <Form method="get" role="search" className="filter-row">
          <div className="field">
            <label htmlFor="tag-filter">Find a tag</label>
            <input id="tag-filter" name="q" type="search" defaultValue={q} maxLength={30} />
          </div>
          <button type="submit">Filter</button>
        </Form>
      </header>
      {tags.length === 0 ? (
        <p className="empty-list">
          {q
            ? `No tag matches “${q}”. Try fewer letters, or ask a question and add the tag yourself.`
            : "No tags yet: they appear as questions are tagged."}
        </p>
      ) : (
        <ul className="tag-cloud" aria-label="Tags">
          {tags.map((t) => (
            <li key={t.name}>
              <Link to={`/tags/${encodeURIComponent(t.name)}`} className="tag">
                {t.name}
              </Link>
              <span className="meta">{plural(t.threads, "thread")}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
