import { Field } from "~/components/field";
import { DecisionForm } from "./decision-form";
import type { Result } from "./types";

const REASONS = [
  ["careless", "Careless: the request lacks what is needed"],
  ["out_of_scope", "Out of scope"],
  ["duplicate", "Duplicate"],
] as const;

/** The desk's decisions: accept or reject an undecided ticket, ask for information, resolve one being worked on. */
export function DecideSection({
  undecided,
  working,
  canRequestInfo,
  result,
}: {
  undecided: boolean;
  working: boolean;
  canRequestInfo: boolean;
  result: Result;
}) {
  return (
    <section aria-labelledby="decide-title" className="stack">
      <h2 id="decide-title">Decide</h2>
      {undecided ? (
        <>
          <DecisionForm intent="accept" label="Accept and capture the payment" result={result}>
            <Field multiline label="Message to the member (optional)" name="message" rows={2} />
          </DecisionForm>
          <DecisionForm intent="reject" label="Reject and release the authorisation" result={result} danger>
            <div className="field">
              <label htmlFor="reject-reason">Reason</label>
              <select id="reject-reason" name="reason" defaultValue="">
                <option value="" disabled>
                  Choose a reason
                </option>
                {REASONS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
            <Field multiline label="Explanation for the member" name="message" rows={3} required minLength={10} />
          </DecisionForm>
        </>
      ) : null}
      {canRequestInfo ? (
        <DecisionForm
          intent="request-info"
          label={undecided ? "Ask for information before deciding (pauses the clock)" : "Ask for information (pauses the clock)"}
          result={result}
        >
          <Field multiline label="What do you need from the member?" name="message" rows={3} required minLength={10} />
        </DecisionForm>
      ) : null}
      {working ? (
        <DecisionForm intent="resolve" label="Resolve" result={result}>
          <Field multiline label="Closing message (optional)" name="message" rows={2} />
        </DecisionForm>
      ) : null}
    </section>
  );
}
