import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { Result } from "./types";

/** One decision's form; it clears after its own success. Errors show above the page's forms. */
export function DecisionForm({
  intent,
  label,
  result,
  children,
  look,
  className = "card",
}: {
  intent: string;
  label: string;
  result: Result;
  children?: React.ReactNode;
  /** Primary by default; one primary action per place, the others secondary or danger. */
  look?: "secondary" | "danger";
  className?: string;
}) {
  const busy = useNavigation().formData?.get("intent") === intent;
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok && result.intent === intent) ref.current?.reset();
  }, [result, intent]);
  return (
    <Form method="post" ref={ref} className={className} replace preventScrollReset>
      <input type="hidden" name="intent" value={intent} />
      {children}
      <button type="submit" className={look} disabled={busy}>
        {label}
      </button>
    </Form>
  );
}
