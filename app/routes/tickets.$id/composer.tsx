import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { Field } from "~/components/field";
import { MacroPicker } from "./macro-picker";
import type { Macros, Result, Ticket } from "./types";

// The intents this form sends; the route maps each to the same model calls as the single-purpose forms.
export const COMPOSER_INTENTS = ["send", "send-accept", "send-request-info", "send-resolve"] as const;

/**
 * One composer, as on a help desk: a reply to the member or (maintainers) an
 * internal note, sent alone or together with a change of state. Without
 * JavaScript every button still posts; with it, the buttons that make no sense
 * for a note (asking the member, accepting with a message) step aside.
 */
export function Composer({ ticket: t, macros, result, undecided }: { ticket: Ticket; macros: Macros; result: Result; undecided: boolean }) {
  const [mode, setMode] = useState<"reply" | "note">("reply");
  const ref = useRef<HTMLFormElement>(null);
  const sending = useNavigation().formData?.get("intent");
  const busy = typeof sending === "string" && (COMPOSER_INTENTS as readonly string[]).includes(sending);
  useEffect(() => {
    if (result?.ok && (COMPOSER_INTENTS as readonly string[]).includes(result.intent)) ref.current?.reset();
  }, [result]);
  const desk = t.viewer.canDecide;
  // Before accepting, the desk can only write notes; the switch appears once replies are possible.
  const note = mode === "note" || !t.viewer.canReply;
  const working = !undecided && (t.state === "open" || t.state === "waiting_on_customer");
  return (
    <Form method="post" ref={ref} className="card composer stack" replace preventScrollReset aria-label="Write to the ticket">
      {t.viewer.canNote && t.viewer.canReply ? (
        <fieldset className="composer-switch" role="radiogroup">
          <legend>Send as</legend>
          <label>
            <input type="radio" name="mode" value="reply" checked={!note} onChange={() => setMode("reply")} /> Reply to the member
          </label>
          <label>
            <input type="radio" name="mode" value="note" checked={note} onChange={() => setMode("note")} /> Internal note (maintainers only)
          </label>
        </fieldset>
      ) : (
        <input type="hidden" name="mode" value={note ? "note" : "reply"} />
      )}
      {desk && !note ? <MacroPicker macros={macros} target="reply" /> : null}
      <Field
        multiline
        label={t.viewer.isOwner ? "Your reply" : "Your message"}
        name="body"
        rows={note ? 3 : 6}
        data-macro-target="reply"
        className={note ? "composer-note" : undefined}
        hint={
          note
            ? "Only maintainers see internal notes."
            : t.state === "waiting_on_customer" && t.viewer.isOwner
              ? "Your reply restarts the response clock."
              : "Markdown works here."
        }
      />
      <div className="row composer-actions">
        <button type="submit" name="intent" value="send" disabled={busy}>
          {note ? "Add note" : "Send"}
        </button>
        {desk && undecided && !note ? (
          <button type="submit" name="intent" value="send-accept" className="secondary" disabled={busy}>
            Send and accept
          </button>
        ) : null}
        {/* Asking the member is allowed before the decision too, when replies are not: the question goes to them. */}
        {t.viewer.canRequestInfo && mode !== "note" ? (
          <button type="submit" name="intent" value="send-request-info" className="secondary" disabled={busy}>
            Send and ask for info
          </button>
        ) : null}
        {desk && working ? (
          <button type="submit" name="intent" value="send-resolve" className="secondary" disabled={busy}>
            {note ? "Add note and resolve" : "Send and resolve"}
          </button>
        ) : null}
      </div>
    </Form>
  );
}
