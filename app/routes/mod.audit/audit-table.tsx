import { Link } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
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

/** Which post or thread the entry is about, linked, with a link to that item's own history. */
function Target({ e }: { e: Entry }) {
  const title = typeof e.data?.title === "string" ? e.data.title : null;
  const number = typeof e.data?.number === "number" ? e.data.number : null;
  const details = describe(e.data);
  if (e.targetType === "user") return <UserTarget e={e} />;
  return (
    <>
      {e.targetType === "post" ? (number === 0 ? "Question" : number !== null ? `Reply #${number}` : "Post") : "Thread"}
      {title ? (
        <>
          {e.targetType === "post" ? " in " : " "}
          {e.url ? <Link to={e.url}>“{title}”</Link> : `“${title}”`}
        </>
      ) : null}{" "}
      <Link to={`/mod/audit?targetType=${e.targetType}&targetId=${e.targetId}`} className="hint" aria-label="History of this item">
        history
      </Link>
      {details ? <div className="hint">{details}</div> : null}
    </>
  );
}

/** A member whose role or suspension an admin changed, with what changed. */
function UserTarget({ e }: { e: Entry }) {
  const username = typeof e.data?.username === "string" ? e.data.username : e.targetId;
  const change = [
    typeof e.data?.from === "string" && typeof e.data?.to === "string" ? `role ${e.data.from} → ${e.data.to}` : null,
    typeof e.data?.until === "string" ? `until ${e.data.until.slice(0, 16).replace("T", " ")} UTC` : null,
  ].filter(Boolean);
  return (
    <>
      Member <Link to={`/u/${username}`}>@{username}</Link>{" "}
      <Link to={`/mod/audit?targetType=user&targetId=${e.targetId}`} className="hint" aria-label="History of this member">
        history
      </Link>
      {change.length ? <div className="hint">{change.join("; ")}</div> : null}
    </>
  );
}

/** The entries, newest first: when, who, what, on which post or thread, and why. */
export function AuditTable({ entries }: { entries: Entry[] }) {
  return (
    <DataTable
      className="audit-table"
      caption="Moderator actions, newest first"
      captionHidden
      rows={entries}
      rowKey={(e) => e.id}
      columns={[
        { header: "When", cell: (e) => <Time value={e.createdAt} /> },
        {
          header: "Who",
          cell: (e) => (e.actor ? <Link to={`/mod/audit?actor=${encodeURIComponent(e.actor)}`}>{e.actor}</Link> : <em>system</em>),
        },
        { header: "Action", cell: (e) => <code>{e.action}</code> },
        { header: "What", cell: (e) => <Target e={e} /> },
        { header: "Why", cell: (e) => e.reason ?? <span className="hint">—</span> },
      ]}
    />
  );
}
