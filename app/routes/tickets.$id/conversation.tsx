import { Field } from "~/components/field";
import { Time } from "~/components/time";
import { DecisionForm } from "./decision-form";
import { MacroPicker } from "./macro-picker";
import type { Macros, Result, Ticket } from "./types";

/** The messages, oldest first, and the reply and internal-note forms for whoever may use them. */
export function Conversation({ ticket: t, macros, result }: { ticket: Ticket; macros: Macros; result: Result }) {
  return (
    <section aria-labelledby="conversation-title" className="stack">
      <h2 id="conversation-title">Conversation</h2>
      {t.messages.length === 0 ? <p className="hint">No messages yet.</p> : null}
      <ol className="post-list" aria-label="Messages">
        {t.messages.map((m) => (
          <li key={m.id}>
            <article
              className="card post"
              style={m.internal ? { borderStyle: "dashed", borderColor: "var(--warn)" } : undefined}
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
      {t.viewer.canReply ? (
        <DecisionForm intent="reply" label={t.viewer.isOwner ? "Send reply" : "Reply to the member"} result={result}>
          {!t.viewer.isOwner ? <MacroPicker macros={macros} target="reply" /> : null}
          <Field
            multiline
            label={t.viewer.isOwner ? "Your reply" : "Reply to the member"}
            name="body"
            rows={5}
            required
            data-macro-target="reply"
            hint={
              t.state === "waiting_on_customer" && t.viewer.isOwner ? "Your reply restarts the response clock." : "Markdown works here."
            }
          />
        </DecisionForm>
      ) : null}
      {t.viewer.canNote ? (
        <DecisionForm intent="note" label="Add internal note" result={result}>
          <Field multiline label="Internal note (maintainers only)" name="body" rows={3} required />
        </DecisionForm>
      ) : null}
    </section>
  );
}
