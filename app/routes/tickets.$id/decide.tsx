import { Field } from "~/components/field";
import { DecisionForm } from "./decision-form";
import type { Result } from "./types";

const REASONS = [
  ["careless", "Careless: the request lacks what is needed"],
  ["out_of_scope", "Out of scope"],
  ["duplicate", "Duplicate"],
] as const;

/**
 * The desk's decisions as one bar: accept is the primary action, reject (behind
 * a second step, with the reason the member reads) the dangerous one, resolve a
 * secondary one. Messages with a decision go through the composer.
 */
export function DecisionBar({
  undecided,
  working,
  funding,
  result,
}: {
  undecided: boolean;
  working: boolean;
  funding: "card" | "insurance" | null;
  result: Result;
}) {
  return (
    <section aria-labelledby="decide-title" className="card decision-bar">
      <h2 id="decide-title">Decide</h2>
      <div className="row">
        {undecided ? (
          <DecisionForm
            intent="accept"
            className="inline-form"
            label={funding === "insurance" ? "Accept and draw the support plan" : "Accept and charge the card"}
            result={result}
          />
        ) : null}
        {working ? <DecisionForm intent="resolve" className="inline-form" label="Resolve" look="secondary" result={result} /> : null}
      </div>
      {undecided ? (
        <details className="reject-step">
          <summary>Reject…</summary>
          <DecisionForm intent="reject" label="Reject and release the hold" look="danger" result={result} className="stack">
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
        </details>
      ) : null}
    </section>
  );
}
