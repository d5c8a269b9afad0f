import { Form, Link } from "@remix-run/react";
import type { RefObject } from "react";
import { FormError } from "~/components/field";
import { MarkdownPreview } from "~/components/markdown-preview";
import type { FormFailure } from "~/utils/form-action.server";
import { FORM_TOKEN_FIELD } from "~/utils/form-token";

/** The reply box: shown only when the thread's capabilities allow a reply. */
export function ReplyForm({
  replyRef,
  token,
  result,
  submitting,
}: {
  replyRef: RefObject<HTMLTextAreaElement>;
  token: string | null;
  result: FormFailure | undefined;
  submitting: boolean;
}) {
  return (
    <section aria-labelledby="reply-title" className="card">
      <h2 id="reply-title">Your reply</h2>
      <Form method="post" replace preventScrollReset>
        {token ? <input type="hidden" name={FORM_TOKEN_FIELD} value={token} /> : null}
        <FormError message={result?.fields ? undefined : result?.message} />
        <MarkdownPreview>
          <label htmlFor="reply-body" className="visually-hidden">
            Reply (Markdown)
          </label>
          <textarea
            id="reply-body"
            ref={replyRef}
            name="body"
            rows={7}
            required
            minLength={10}
            defaultValue={result?.values?.body}
            aria-invalid={result?.fields?.body ? true : undefined}
            aria-describedby={result?.fields?.body ? "reply-error" : "reply-hint"}
          />
          <p id="reply-hint" className="hint">
            Markdown: **bold**, `code`, ```fenced blocks```, [links](https://…), @mentions.
          </p>
          {result?.fields?.body ? (
            <p id="reply-error" className="field-error" role="alert">
              {result.fields.body}
            </p>
          ) : null}
        </MarkdownPreview>
        <button type="submit" name="intent" value="reply" disabled={submitting}>
          {submitting ? "Posting…" : "Post reply"}
        </button>
      </Form>
    </section>
  );
}

/** Why there is no reply box: the thread is locked (for everyone), or the visitor is not signed in. */
export function NoReplyNotice({ locked, signedIn, threadPath }: { locked: boolean; signedIn: boolean; threadPath: string }) {
  if (locked) return <p className="notice">This thread is locked and takes no new replies.</p>;
  if (signedIn) return null;
  return (
    <p className="notice">
      <Link to={`/login?redirectTo=${encodeURIComponent(threadPath)}`}>Sign in</Link> to reply.
    </p>
  );
}
