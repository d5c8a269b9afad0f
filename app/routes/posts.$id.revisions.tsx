import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listRevisions } from "~/models/community/post.server";
import { requireUser } from "~/services/auth.server";
import { lineDiff } from "~/utils/diff";
import { forPage } from "~/utils/page-errors.server";
import { Time } from "~/components/time";

export const meta: MetaFunction = () => [{ title: "Revisions · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { post, revisions } = await forPage(() => listRevisions(user, params.id!));
  // Each revision holds the text before an edit; the next version is the following revision or the current body.
  const versions = revisions.map((r, i) => ({
    id: r.id,
    editor: r.editor.username,
    createdAt: r.createdAt,
    reason: r.reason,
    diff: lineDiff(r.body, revisions[i + 1]?.body ?? post.body),
  }));
  return { threadId: post.threadId, versions: versions.reverse() };
}

export default function Revisions() {
  const { threadId, versions } = useLoaderData<typeof loader>();
  return (
    <section className="stack" aria-labelledby="rev-title">
      <h1 id="rev-title">Revision history</h1>
      <p>
        <Link to={`/t/${threadId}`}>Back to the thread</Link>
      </p>
      {versions.length === 0 ? <p>This post was never edited.</p> : null}
      {versions.map((v) => (
        <article key={v.id} className="card">
          <h2 className="h3">
            Edited by {v.editor} on <Time value={v.createdAt} />
          </h2>
          {v.reason ? <p>Reason: {v.reason}</p> : null}
          <pre className="diff" aria-label="Changes">
            {v.diff.map((line, i) => (
              <span key={i} className={line.op === "+" ? "add" : line.op === "-" ? "del" : undefined}>
                {line.op === "=" ? "  " : `${line.op} `}
                {line.text}
                {"\n"}
              </span>
            ))}
          </pre>
        </article>
      ))}
    </section>
  );
}
