import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TimeBadge } from "~/components/time-badge";
import { Time } from "~/components/time";
import { can } from "~/models/permissions";
import { listTickets } from "~/models/tickets/ticket.server";
import { parseListTicketsQuery } from "~/models/tickets/schemas";
import { clockLevel } from "~/models/tickets/sla";
import { stateLabel, TICKET_STATES, type TicketState } from "~/models/tickets/state";
import { requireUser } from "~/services/auth.server";
import { forPage } from "~/utils/page-errors.server";

export const meta: MetaFunction = () => [{ title: "Paid support tickets · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const state = new URL(request.url).searchParams.get("state") ?? undefined;
  return forPage(async () => ({
    tickets: await listTickets(user, parseListTicketsQuery({ state })),
    state: state ?? null,
    desk: can(user, "ticket:read:any"),
  }));
}

export default function Tickets() {
  const { tickets, state, desk } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <header>
        <h1>{desk ? "Paid support queue" : "Your paid support tickets"}</h1>
        <p>
          {desk
            ? "Paid tickets only, the most urgent first."
            : "Private conversations with the maintainer. Only you and the maintainers see them."}
        </p>
        {desk ? (
          <p>
            <a href="/desk">Open the desk</a>
          </p>
        ) : (
          <p>
            <a href="/insurance">Support insurance</a>: pay for tickets from a yearly plan instead of a card.
          </p>
        )}
      </header>
      <nav aria-label="Filter by state" className="meta">
        <Link to="/tickets" aria-current={state === null ? "page" : undefined}>
          All
        </Link>
        {TICKET_STATES.map((s) => (
          <Link key={s} to={`/tickets?state=${s}`} aria-current={state === s ? "page" : undefined}>
            {stateLabel(s)}
          </Link>
        ))}
      </nav>
      {tickets.length === 0 ? (
        <p className="empty-list">
          No tickets{state ? ` that are ${stateLabel(state as TicketState)}` : ""}. A ticket starts from <strong>Get paid support</strong>{" "}
          on a thread in a supported category; <Link to="/support">see the tiers and prices</Link>.
        </p>
      ) : (
        <ul className="plain-list" aria-label="Tickets">
          {tickets.map((t) => (
            <li key={t.id}>
              <Link to={`/tickets/${t.id}`}>
                <strong>{t.title}</strong>
              </Link>
              <p className="meta">
                <span className="badge">{t.stateLabel}</span>
                <span>{t.tier.name}</span>
                <TimeBadge level={clockLevel(t.clock)} text={t.clock.text} />
                {desk ? <span>by {t.owner}</span> : null}
                <span>
                  opened <Time value={t.paidAt} />
                </span>
                {t.payment ? <span>{t.payment.line}</span> : null}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
