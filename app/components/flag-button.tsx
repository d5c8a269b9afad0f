import { useId } from "react";
import { Field } from "./field";
import { ActionResult, MOD_ACTIONS_PATH, useModAction } from "./moderation-controls";

// The choices offered to members; app/models/moderation/flag.server.ts (FLAG_REASONS) validates them.
export const FLAG_REASON_OPTIONS = [
  { value: "spam", label: "Spam", hint: "Advertising or links with no place here." },
  { value: "offensive", label: "Offensive or abusive", hint: "Insults, harassment, hate." },
  { value: "off-topic", label: "Off-topic", hint: "Does not belong in this thread or category." },
  { value: "needs-moderator", label: "Something else", hint: "Tell the moderators below." },
] as const;

export const flagReasonLabel = (reason: string) => FLAG_REASON_OPTIONS.find((r) => r.value === reason)?.label ?? reason;

/** A member reports someone else's post to the moderators. */
export function FlagButton({ postId }: { postId: string }) {
  const { fetcher, hidden, busy, result } = useModAction(`flag-${postId}`);
  const id = useId();
  if (result?.ok) return <ActionResult result={result} />;
  const fields = result && !result.ok ? result.fields : undefined;
  return (
    <div className="mod-inline">
      <details className="mod-action">
        <summary>Flag</summary>
        <fetcher.Form method="post" action={MOD_ACTIONS_PATH} className="mod-panel">
          {hidden}
          <input type="hidden" name="id" value={postId} />
          <fieldset aria-describedby={fields?.reason ? `${id}-reason-error` : undefined}>
            <legend>Why should a moderator look at this post?</legend>
            {FLAG_REASON_OPTIONS.map((r, i) => (
              <label key={r.value} style={{ fontWeight: 400 }}>
                <input type="radio" name="reason" value={r.value} required defaultChecked={i === 0} /> {r.label}
                <span className="hint"> — {r.hint}</span>
              </label>
            ))}
          </fieldset>
          {fields?.reason ? (
            <p id={`${id}-reason-error`} className="field-error" role="alert">
              {fields.reason}
            </p>
          ) : null}
          <Field multiline label="Details (optional)" name="details" rows={2} maxLength={1000} error={fields?.details} />
          <button type="submit" name="intent" value="flag" disabled={busy}>
            {busy ? "Sending…" : "Flag post"}
          </button>
          {result && !result.ok && !fields ? <ActionResult result={result} /> : null}
        </fetcher.Form>
      </details>
    </div>
  );
}
