import { Form, Link } from "@remix-run/react";
import { Field } from "~/components/field";
import { DecisionForm } from "./decision-form";
import type { Publish, Result } from "./types";

/** Publish back (docs/product.md §4.10): the maintainer drafts, the owner agrees, and only then is it public. */
export function PublishBack({ publish: p, result }: { publish: Publish; result: Result }) {
  return (
    <section aria-labelledby="publish-title" className="card stack">
      <h2 id="publish-title">Public answer</h2>
      {p.postUrl ? (
        <p className="notice" role="status">
          Published to the thread with the member's consent. <Link to={p.postUrl}>Read it in the thread</Link>
          {p.accepted ? " (accepted as the answer)." : "."}
        </p>
      ) : p.draftHtml ? (
        <>
          <p>
            {p.declinedAt
              ? p.canDraft
                ? "The member declined publishing this draft; nothing was posted. Propose a new one below if you like:"
                : "You declined publishing this draft; nothing was posted."
              : p.canConsent
                ? "The maintainer proposes to post this redacted answer to the public thread, as shown here. Nothing is published unless you agree:"
                : "Draft, waiting for the member's consent:"}
          </p>
          {/* Rendered and sanitized on the server, by the same renderer as posts. */}
          <div
            className="card prose publish-draft"
            aria-label="Draft of the public answer"
            role="region"
            dangerouslySetInnerHTML={{ __html: p.draftHtml ?? "" }}
          />
        </>
      ) : (
        <p className="hint">
          {p.canDraft
            ? "Optionally, draft a redacted answer for the public thread; the member decides whether it is posted."
            : "No public answer has been proposed."}
        </p>
      )}
      {p.canConsent && p.draftHash ? (
        <div className="row">
          <Form method="post" replace preventScrollReset>
            <input type="hidden" name="intent" value="publish-consent" />
            <input type="hidden" name="draftHash" value={p.draftHash} />
            <button type="submit">Agree and publish to the thread</button>
          </Form>
          <Form method="post" replace preventScrollReset>
            <input type="hidden" name="intent" value="publish-decline" />
            <input type="hidden" name="draftHash" value={p.draftHash} />
            <button type="submit" className="secondary">
              Decline: do not publish
            </button>
          </Form>
        </div>
      ) : null}
      {p.canAccept ? (
        <Form method="post" replace preventScrollReset>
          <input type="hidden" name="intent" value="accept-published" />
          <button type="submit" className="secondary">
            Accept it as the answer
          </button>
        </Form>
      ) : null}
      {p.canDraft ? (
        <DecisionForm intent="publish-draft" label={p.draft ? "Update the draft" : "Propose for publishing"} result={result}>
          <Field
            multiline
            label="Public answer (redacted: no private details)"
            name="body"
            rows={6}
            required
            minLength={20}
            defaultValue={p.draft ?? ""}
            hint="Markdown. Posted under your name once the member agrees."
          />
        </DecisionForm>
      ) : null}
    </section>
  );
}
