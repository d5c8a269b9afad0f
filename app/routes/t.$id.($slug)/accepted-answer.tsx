import type { ReactNode } from "react";

/** The accepted answer, repeated under the question on the first page. */
export function AcceptedAnswer({ children }: { children: ReactNode }) {
  return (
    <section aria-labelledby="answer-title" className="accepted-answer">
      <h2 id="answer-title">Accepted answer</h2>
      {children}
    </section>
  );
}
