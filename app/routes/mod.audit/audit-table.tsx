import { Link } from "@remix-run/react";
import { Time } from "~/components/time";
import { plural } from "~/utils/text";

type Entry = {
  id: string;
  createdAt: string | Date;
  actor: string | null;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  url: string | null;
  data: Record<string, unknown> | null;
};

/** What the entry's data adds in words: a move, resolved flags, who deleted. */
function describe(data: Record<string, unknown> | null) {
  if (!data) return null;
  const parts: string[] = [];
  if (typeof data.from === "string" && typeof data.to === "string") parts.push(`${data.from} → ${data.to}`);
  if (Array.isArray(data.flagIds) && data.flagIds.length) parts.push(`${plural(data.flagIds.length, "flag")} resolved`);
  if (data.byAuthor === true) parts.push("by its author");
  if (data.confirmed === true) parts.push("confirmed an automatic hide");
  return parts.join("; ") || null;
}

/** The entries, newest first: when, who, what, on which post or thread, and why. */
export function AuditTable({ entries }: { entries: Entry[] }) {
  return (
    <div style={{ overflowX: "auto" }}>
      <table className="audit-table">
        <caption className="visually-hidden">Moderator actions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">What</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const title = typeof e.data?.title === "string" ? e.data.title : null;
            const number = typeof e.data?.number === "number" ? e.data.number : null;
            const details = describe(e.data);
            return (
              <tr key={e.id}>
                <td>
                  <Time value={e.createdAt} />
                </td>
                <td>{e.actor ? <Link to={`/mod/audit?actor=${encodeURIComponent(e.actor)}`}>{e.actor}</Link> : <em>system</em>}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.targetType === "post" ? (number === 0 ? "Question" : number !== null ? `Reply #${number}` : "Post") : "Thread"}
                  {title ? (
                    <>
                      {e.targetType === "post" ? " in " : " "}
                      {e.url ? <Link to={e.url}>“{title}”</Link> : `“${title}”`}
                    </>
                  ) : null}{" "}
                  <Link
                    to={`/mod/audit?targetType=${e.targetType}&targetId=${e.targetId}`}
                    className="hint"
                    aria-label="History of this item"
                  >
                    history
                  </Link>
                  {details ? <div className="hint">{details}</div> : null}
                </td>
                <td>{e.reason ?? <span className="hint">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
