import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ThreadList, threadListLinks } from "~/components/thread-list";
import { listCategories } from "~/models/community/category.server";
import { listThreads, parseListThreadsQuery } from "~/models/community/thread.server";
import { plural } from "~/utils/text";

export const links = threadListLinks;

export const meta: MetaFunction = () => [
  { title: "Backline — community help and paid support" },
  { name: "description", content: "Ask the community, find answers, and escalate to paid support from the maintainer when you need it." },
  { tagName: "link", rel: "alternate", type: "application/rss+xml", title: "Latest threads (RSS)", href: "/latest.rss" },
  { tagName: "link", rel: "alternate", type: "application/atom+xml", title: "Latest threads (Atom)", href: "/latest.atom" },
];

export async function loader() {
  const [categories, latest] = await Promise.all([listCategories(), listThreads(parseListThreadsQuery({}))]);
  return { categories, latest: latest.threads.slice(0, 10) };
}

export default function Index() {
  const { categories, latest } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="intro">
        <h1>Categories</h1>
        <p>Ask the community first; in supported categories any thread can become a paid support ticket.</p>
      </section>
      {categories.length === 0 ? (
        <p>No categories yet. An admin can create them.</p>
      ) : (
        <ul className="category-list" aria-label="Categories">
          {categories.map((c) => (
            <li key={c.id} className="card category">
              <h2>
                <Link to={`/c/${c.slug}`}>{c.name}</Link>
              </h2>
              <p>{c.description}</p>
              <p className="meta">
                <span className={c.supported ? "badge supported" : "badge community"}>
                  {c.supported ? "Paid support available" : "Community support only"}
                </span>
                <span>{plural(c.threadCount, "thread")}</span> · <span>{plural(c.postCount, "post")}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="latest-title" className="stack">
        <h2 id="latest-title">Latest threads</h2>
        <ThreadList threads={latest} label="Latest threads" />
        {latest.length ? (
          <p>
            <Link to="/latest">All latest threads →</Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}
