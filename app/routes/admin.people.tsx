import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { Field, FormError } from "~/components/field";
import { changePerson, findPeople, type Person } from "~/models/accounts/people.server";
import { suspensionLabel } from "~/models/accounts/suspension";
import { requirePermission, ROLES } from "~/models/permissions";
import type { Role } from "~/models/types";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { forPage } from "~/utils/page-errors.server";
import { plural } from "~/utils/text";

// People and roles (issue 18): find an account, change its role, suspend or unsuspend it. The same
// rules as `PATCH /api/v1/users/:username` (app/models/accounts/people.server.ts), audit entries included.

export const meta: MetaFunction = () => [{ title: "People · Admin · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = new URL(request.url).searchParams;
  return forPage(async () => ({
    ...(await findPeople(user, { q: params.get("q"), page: params.get("page") })),
    me: user.id,
  }));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = form.get("intent");
  const username = String(form.get("username") ?? "");
  return attempt(async () => {
    // Refused before the form is read, whatever it holds (authorization matrix).
    requirePermission(user, "user:role:manage");
    let change: Record<string, unknown>;
    if (intent === "role") change = { role: form.get("role") };
    else if (intent === "suspend") change = { suspendedUntil: form.get("until") || undefined, reason: form.get("reason") };
    else if (intent === "unsuspend") change = { suspendedUntil: null };
    else throw badRequest("Unknown action.");
    if (intent === "suspend" && !change.suspendedUntil) throw badRequest("Pick the date the suspension ends.", { until: "Pick a date." });
    const person = await changePerson(user, username, change);
    return { ok: true as const, message: doneMessage(String(intent), person) };
  });
}

function doneMessage(intent: string, p: Person) {
  if (intent === "role") return `@${p.username} is now ${p.role}.`;
  if (intent === "suspend") return `@${p.username}: ${suspensionLabel(p)}.`;
  return `@${p.username} can sign in and post again.`;
}

const pageLink = (q: string, page: number) => `/admin/people?${new URLSearchParams({ ...(q ? { q } : {}), page: String(page) })}`;

export default function AdminPeople() {
  const { people, query, page, pages, total, me } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { ok: true; message: string }>();
  const busy = useNavigation().state !== "idle";
  return (
    <div className="stack">
      <h1>People</h1>
      <Form method="get" className="row" role="search" aria-label="Find people">
        <Field label="Username or e-mail" name="q" type="search" defaultValue={query} size={28} />
        <button type="submit">Find</button>
      </Form>
      <FormError message={result && !result.ok ? result.message : undefined} />
      {result?.ok ? (
        <p role="status" className="notice">
          {result.message}
        </p>
      ) : null}
      <DataTable
        caption={`${plural(total, "account")}${query ? ` matching “${query}”` : ""}`}
        rows={people}
        rowKey={(p) => p.id}
        empty="Nobody matches. Try part of a username or e-mail address."
        columns={[
          {
            header: "Member",
            rowHeader: true,
            cell: (p) => (
              <>
                <Link to={`/u/${p.username}`}>@{p.username}</Link>
                <div className="hint">{p.email}</div>
              </>
            ),
          },
          { header: "Status", cell: (p) => suspensionLabel(p) ?? "Active" },
          { header: "Role", cell: (p) => <RoleForm person={p} self={p.id === me} busy={busy} /> },
          { header: "Suspension", cell: (p) => <SuspensionForm person={p} self={p.id === me} busy={busy} /> },
        ]}
      />
      {pages > 1 ? (
        <nav aria-label="Pages" className="row">
          {page > 1 ? <Link to={pageLink(query, page - 1)}>Previous</Link> : null}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link to={pageLink(query, page + 1)}>Next</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}

type Row = { id: string; username: string; role: Role; suspendedUntil: Date | string | null };

function RoleForm({ person, self, busy }: { person: Row; self: boolean; busy: boolean }) {
  return (
    <Form method="post" className="row" aria-label={`Role of @${person.username}`}>
      <input type="hidden" name="username" value={person.username} />
      <label className="visually-hidden" htmlFor={`role-${person.id}`}>
        Role of @{person.username}
      </label>
      <select id={`role-${person.id}`} name="role" defaultValue={person.role} disabled={self}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {self ? (
        <span className="hint">Your own role: another admin changes it.</span>
      ) : (
        <button type="submit" name="intent" value="role" disabled={busy}>
          Change role
        </button>
      )}
    </Form>
  );
}

function SuspensionForm({ person, self, busy }: { person: Row; self: boolean; busy: boolean }) {
  if (self) return <span className="hint">You cannot suspend yourself.</span>;
  if (person.suspendedUntil) {
    return (
      <Form method="post" aria-label={`Unsuspend @${person.username}`}>
        <input type="hidden" name="username" value={person.username} />
        <button type="submit" name="intent" value="unsuspend" disabled={busy}>
          Unsuspend
        </button>
      </Form>
    );
  }
  return (
    <Form method="post" className="row" aria-label={`Suspend @${person.username}`}>
      <input type="hidden" name="username" value={person.username} />
      <Field label="Until" name="until" type="date" required id={`until-${person.id}`} />
      <Field label="Reason" name="reason" required minLength={3} maxLength={500} id={`reason-${person.id}`} />
      <button type="submit" name="intent" value="suspend" className="danger" disabled={busy}>
        Suspend
      </button>
    </Form>
  );
}
