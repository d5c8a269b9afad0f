import { Time } from "~/components/time";
import type { TicketSnapshot } from "~/models/tickets/snapshot";

const preWrap: React.CSSProperties = { whiteSpace: "pre-wrap", overflowWrap: "anywhere", margin: 0 };

/** The gate answers as the member wrote them (plain text, never rendered as HTML). */
export function GateAnswers({ gate }: { gate: TicketSnapshot["gate"] }) {
  return (
    <dl className="facts">
      <dt>Product version</dt>
      <dd style={preWrap}>{gate.productVersion}</dd>
      <dt>Environment</dt>
      <dd style={preWrap}>{gate.environment}</dd>
      <dt>Steps to reproduce</dt>
      <dd style={preWrap}>{gate.stepsToReproduce}</dd>
      <dt>Already tried</dt>
      <dd style={preWrap}>{gate.alreadyTried}</dd>
      <dt>Scope</dt>
      <dd>
        {gate.scopeAccepted ? "Accepted: " : "Not accepted: "}
        {gate.scopeStatement}
      </dd>
    </dl>
  );
}

/** The thread as it was when the member paid; later edits to the public thread do not show here. */
export function ThreadSnapshot({ snapshot }: { snapshot: TicketSnapshot }) {
  return (
    <section aria-labelledby="snapshot-title" className="stack">
      <h2 id="snapshot-title">The thread at payment time</h2>
      <p className="meta">
        <span>
          Snapshot taken <Time value={snapshot.takenAt} />
        </span>
        <span>· {snapshot.thread.category.name}</span>
        {snapshot.thread.tags.map((t) => (
          <span key={t} className="tag">
            #{t}
          </span>
        ))}
        <a href={snapshot.thread.url}>Public thread</a>
      </p>
      <ol className="post-list">
        {snapshot.posts.map((p) => (
          <li key={p.id}>
            <article
              className={`card post${p.accepted ? " accepted" : ""}`}
              aria-label={`${p.number === 0 ? "Question" : "Reply"} by ${p.author}`}
            >
              <p className="post-meta">
                <span className="author">{p.author}</span>
                <Time value={p.createdAt} />
                {p.editedAt ? <span>(edited)</span> : null}
                {p.number === 0 ? <span className="badge">Question</span> : null}
                {p.accepted ? <span className="badge solved">✓ Accepted answer</span> : null}
              </p>
              {/* Sanitized when the post was written (docs/decisions/006). */}
              <div className="prose" dangerouslySetInnerHTML={{ __html: p.bodyHtml }} />
            </article>
          </li>
        ))}
      </ol>
      {snapshot.links.length > 1 ? (
        <details>
          <summary>Links in the thread ({snapshot.links.length})</summary>
          <ul>
            {snapshot.links.map((l) => (
              <li key={l}>
                <a href={l} rel="nofollow noopener noreferrer">
                  {l}
                </a>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
