import { Form, Link, useSearchParams } from "@remix-run/react";
import { useId } from "react";
import { Field } from "~/components/field";

const FILTERS = ["action", "actor", "targetType", "targetId", "from", "to"] as const;
const ACTION_PREFIXES = ["post.", "thread.", "flag."];

/** Filters by action (or a family of them), moderator, target and dates; the URL holds them. */
export function AuditFilters({ actions }: { actions: string[] }) {
  const [params] = useSearchParams();
  const id = useId();
  const value = (name: (typeof FILTERS)[number]) => params.get(name) ?? "";
  return (
    <Form method="get" className="mod-filters card" aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor={`${id}-action`}>Action</label>
        <select id={`${id}-action`} name="action" defaultValue={value("action")}>
          <option value="">Any</option>
          {ACTION_PREFIXES.map((p) => (
            <option key={p} value={p}>{`${p}* (all)`}</option>
          ))}
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <Field label="Moderator" name="actor" defaultValue={value("actor")} placeholder="username" size={14} />
      <div className="field">
        <label htmlFor={`${id}-type`}>Target</label>
        <select id={`${id}-type`} name="targetType" defaultValue={value("targetType")}>
          <option value="">Any</option>
          <option value="post">Post</option>
          <option value="thread">Thread</option>
          <option value="user">Member</option>
        </select>
      </div>
      <Field label="Target id" name="targetId" defaultValue={value("targetId")} size={14} />
      <Field label="From" type="date" name="from" defaultValue={value("from")} />
      <Field label="To" type="date" name="to" defaultValue={value("to")} />
      <button type="submit">Filter</button>
      {FILTERS.some((f) => params.get(f)) ? <Link to="/mod/audit">Clear</Link> : null}
    </Form>
  );
}
