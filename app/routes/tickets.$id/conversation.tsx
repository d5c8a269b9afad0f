import { Time } from "~/components/time";
import type { Ticket } from "./types";

/** The messages, oldest first; internal notes stand out so nobody mistakes one for a reply. */
export function Conversation({ ticket: t }: { ticket: Ticket }) {
  return (
    <section aria-labelledby="conversation-title" className="stack">
      <h2 id="conversation-title">Conversation</h2>
      {t.messages.length === 0 ? <p className="hint">No messages yet.</p> : null}
      <ol className="post-list" aria-label="Messages">
        {t.messages.map((m) => (
          <li key={m.id}>
            <article
              className={`card post${m.internal ? " internal-note" : ""}`}
              aria-label={`${m.internal ? "Internal note" : "Message"} by ${m.author}`}
            >
              <p className="post-meta">
                <span className="author">{m.author}</span>
                {!m.fromOwner ? <span className="role-badge">maintainer</span> : null}
                {m.internal ? <span className="badge warn">Internal note: maintainers only</span> : null}
                <Time value={m.createdAt} />
              </p>
              {/* Rendered and sanitized on write. */}
              <div className="prose" dangerouslySetInnerHTML={{ __html: m.bodyHtml }} />
            </article>
          </li>
        ))}
      </ol>
    </section>
  );
}
