import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { Result } from "./types";

/** One small form per decision; it clears after its own success. Errors show above the forms. */
export function DecisionForm({
  intent,
  label,
  result,
  children,
  danger,
}: {
  intent: string;
  label: string;
  result: Result;
  children?: React.ReactNode;
  danger?: boolean;
}) {
  const busy = useNavigation().formData?.get("intent") === intent;
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok && result.intent === intent) ref.current?.reset();
  }, [result, intent]);
  return (
    <Form method="post" ref={ref} className="card" replace preventScrollReset>
      <input type="hidden" name="intent" value={intent} />
      {children}
      <button type="submit" className={danger ? "danger" : undefined} disabled={busy}>
        {label}
      </button>
    </Form>
  );
}
