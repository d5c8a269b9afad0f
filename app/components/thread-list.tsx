import type { LinksFunction, SerializeFrom } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { Avatar } from "~/components/avatar";
import { Time } from "~/components/time";
import type { ThreadListItem } from "~/models/community/thread.server";
import styles from "~/styles/thread-list.css";
import { feedLinks, seoMeta } from "~/utils/seo";
import { nounFor, plural } from "~/utils/text";

// Routes that render these pieces add `links: threadListLinks` to load the styles.
export const threadListLinks: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

type Item = SerializeFrom<ThreadListItem>;
export type ListSort = "latest" | "top" | "unanswered";
export type ListFilter = { sort: ListSort; solved?: boolean; cursor?: string };

/** A list URL with only the non-default filters, so canonical and shared links stay short. */
export function listHref(base: string, f: Partial<ListFilter>, defaultSort: ListSort = "latest") {
  const q = new URLSearchParams();
  if (f.sort && f.sort !== defaultSort) q.set("sort", f.sort);
  if (f.solved !== undefined) q.set("solved", String(f.solved));
  if (f.cursor) q.set("cursor", f.cursor);
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

export function ThreadBadges({ thread }: { thread: Pick<Item, "solved" | "locked" | "escalated" | "resolvedViaSupport"> }) {
  return (
    <>
      {thread.solved ? (
        <span className="badge solved" title="An answer was accepted">
          ✓ Solved
        </span>
      ) : null}
      {thread.resolvedViaSupport ? (
        <span className="badge paid">Resolved via paid support</span>
      ) : thread.escalated ? (
        <span className="badge paid">Escalated to paid support</span>
      ) : null}
      {thread.locked ? <span className="badge locked">Locked</span> : null}
    </>
  );
}

export function TagLinks({ tags }: { tags: string[] }) {
  if (!tags.length) return null;
  return (
    <ul className="tag-links" aria-label="Tags">
      {tags.map((t) => (
        <li key={t}>
          <Link to={`/tags/${encodeURIComponent(t)}`} className="tag">
            {t}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function ThreadList({
  threads,
  label = "Threads",
  showCategory = true,
  empty = "No threads here yet.",
}: {
  threads: Item[];
  label?: string;
  showCategory?: boolean;
  empty?: React.ReactNode;
}) {
  if (!threads.length) return <p className="empty-list">{empty}</p>;
  return (
    <ol className="thread-list" aria-label={label}>
      {threads.map((t) => (
        <li key={t.id} className={`thread-row${t.solved ? " is-solved" : ""}`}>
          <div className="thread-stats" aria-hidden="true">
            <span className="stat">
              <strong>{t.score}</strong> helpful
            </span>
            <span className={`stat${t.replyCount === 0 ? " none" : ""}${t.solved ? " solved" : ""}`}>
              <strong>{t.replyCount}</strong>
              {` ${nounFor(t.replyCount, "reply", "replies")}`}
            </span>
          </div>
          <div className="thread-main">
            <h3 className="thread-title">
              <Link to={t.url}>{t.title}</Link> <ThreadBadges thread={t} />
            </h3>
            <div className="meta">
              {showCategory ? (
                <Link to={`/c/${t.category.slug}`} className="category-link">
                  {t.category.name}
                </Link>
              ) : null}
              <TagLinks tags={t.tags} />
              <span>
                by{" "}
                <Link to={`/u/${t.author}`} className="author-link">
                  <Avatar username={t.author} size={18} /> {t.author}
                </Link>
              </span>
              <span className="sr-only">{`${t.score} helpful, ${plural(t.replyCount, "reply", "replies")},`}</span>
              <span>
                active <Time value={t.lastPostAt} relative />
              </span>
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}

const SORTS: { value: ListSort; label: string }[] = [
  { value: "latest", label: "Latest" },
  { value: "top", label: "Top" },
  { value: "unanswered", label: "Unanswered" },
];

/** Sort tabs (category and tag pages) and the solved / unsolved filter. */
export function ListControls({
  base,
  filter,
  sortable = false,
  solvedFilter = true,
}: {
  base: string;
  filter: ListFilter;
  sortable?: boolean;
  solvedFilter?: boolean;
}) {
  const solvedOptions: { value: boolean | undefined; label: string }[] = [
    { value: undefined, label: "All" },
    { value: true, label: "Solved" },
    { value: false, label: "Unsolved" },
  ];
  return (
    <div className="list-controls">
      {sortable ? (
        <nav aria-label="Sort threads" className="pill-group">
          {SORTS.map((s) => (
            <Link
              key={s.value}
              to={listHref(base, { sort: s.value, solved: filter.solved })}
              aria-current={filter.sort === s.value ? "page" : undefined}
            >
              {s.label}
            </Link>
          ))}
        </nav>
      ) : null}
      {solvedFilter ? (
        <nav aria-label="Filter by status" className="pill-group">
          {solvedOptions.map((o) => (
            <Link
              key={o.label}
              to={listHref(base, { sort: filter.sort, solved: o.value }, sortable ? "latest" : filter.sort)}
              aria-current={filter.solved === o.value ? "page" : undefined}
            >
              {o.label}
            </Link>
          ))}
        </nav>
      ) : null}
    </div>
  );
}

/** Keyset pagination: "Next page" carries the cursor, so deep pages cost the same as the first. */
export function Pager({
  base,
  filter,
  nextCursor,
  total,
  sortable = false,
}: {
  base: string;
  filter: ListFilter;
  nextCursor: string | null;
  total?: number;
  sortable?: boolean;
}) {
  const defaultSort = sortable ? "latest" : filter.sort;
  const count = total === undefined ? null : plural(total, "thread");
  if (!nextCursor && !filter.cursor) return count ? <p className="pager meta">{count}</p> : null;
  return (
    <nav className="pager" aria-label="Pages">
      {filter.cursor ? (
        <Link to={listHref(base, { sort: filter.sort, solved: filter.solved }, defaultSort)} rel="first">
          ← First page
        </Link>
      ) : (
        <span />
      )}
      {count ? <span className="meta">{count}</span> : null}
      {nextCursor ? (
        <Link to={listHref(base, { sort: filter.sort, solved: filter.solved, cursor: nextCursor }, defaultSort)} rel="next">
          Next page →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}

export type ThreadListData = {
  threads: Item[];
  total: number;
  nextCursor: string | null;
  filter: ListFilter;
};

/** The body of every list page: heading, feeds, filters, the list and its pager. */
export function ThreadListPage({
  title,
  intro,
  base,
  data,
  feedBase,
  sortable = false,
  solvedFilter = true,
  showCategory = true,
  askIn,
  empty,
}: {
  title: React.ReactNode;
  intro?: React.ReactNode;
  base: string;
  data: ThreadListData;
  feedBase?: string;
  sortable?: boolean;
  solvedFilter?: boolean;
  showCategory?: boolean;
  /** Category slug for the "Ask a question" link (empty string: let the member choose). */
  askIn?: string;
  empty?: React.ReactNode;
}) {
  return (
    <div className="stack">
      <header className="list-header">
        <h1>{title}</h1>
        <div className="feed-links">
          {askIn !== undefined ? (
            <Link to={askIn ? `/new?category=${encodeURIComponent(askIn)}` : "/new"} className="button">
              Ask a question
            </Link>
          ) : null}
          {feedBase ? (
            <>
              <a href={`${feedBase}.rss`} type="application/rss+xml">
                RSS
              </a>
              <a href={`${feedBase}.atom`} type="application/atom+xml">
                Atom
              </a>
            </>
          ) : null}
        </div>
      </header>
      {intro}
      {sortable || solvedFilter ? <ListControls base={base} filter={data.filter} sortable={sortable} solvedFilter={solvedFilter} /> : null}
      <ThreadList threads={data.threads} showCategory={showCategory} empty={empty} label={typeof title === "string" ? title : "Threads"} />
      <Pager base={base} filter={data.filter} nextCursor={data.nextCursor} total={data.total} sortable={sortable} />
    </div>
  );
}

/** Canonical, description and feed links of a list page; filtered and deeper pages are not indexed. */
export function listMeta(
  data: { origin: string; filter: ListFilter } | undefined,
  o: { title: string; description: string; base: string; feedBase?: string; sortable?: boolean },
) {
  if (!data) return [{ title: "Not found · Backline" }];
  const path = listHref(o.base, { sort: data.filter.sort, cursor: data.filter.cursor }, o.sortable ? "latest" : data.filter.sort);
  return seoMeta({
    title: o.title,
    description: o.description,
    url: `${data.origin}${path}`,
    feeds: o.feedBase ? feedLinks(o.feedBase, o.title) : [],
    noindex: Boolean(data.filter.cursor || data.filter.solved !== undefined),
  });
}
