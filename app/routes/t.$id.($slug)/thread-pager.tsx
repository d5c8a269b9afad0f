import { Link } from "@remix-run/react";

/** Pages of a long thread, by post number. */
export function ThreadPager({ page, pages }: { page: number; pages: number }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages of this thread" className="pager">
      {page > 1 ? (
        <Link to={`?page=${page - 1}`} rel="prev">
          ← Newer
        </Link>
      ) : (
        <span />
      )}
      <span>
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link to={`?page=${page + 1}`} rel="next">
          Older →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
