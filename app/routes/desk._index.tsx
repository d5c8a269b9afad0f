import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useRevalidator, useSubmit } from "@remix-run/react";
import { useEffect } from "react";
import { AbsenceWarnings } from "~/components/desk/absence-warnings";
import { QueueList } from "~/components/desk/queue-list";
import { absenceWarnings } from "~/models/availability/availability.server";
import { LiveUpdates } from "~/components/live-updates";
import { deskQueue, parseDeskQueueQuery, requireDesk } from "~/models/desk/desk.server";
import { QUEUE_STATES } from "~/models/desk/queue";
import { stateLabel } from "~/models/tickets/state";
import { getUser } from "~/services/auth.server";
import styles from "~/styles/desk.css";
import { forPage } from "~/utils/page-errors.server";

// The maintainer desk (docs/product.md §5): the paid queue only, most urgent first.
// Not a desk member: 404, as if it did not exist.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Desk · Backline" }, { name: "robots", content: "noindex" }];

const REFRESH_MS = 30_000;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const params = new URL(request.url).searchParams;
  return forPage(async () => {
    // Who is not on the desk gets 404 before the query is read, as from the model.
    requireDesk(user);
    const query = parseDeskQueueQuery({ state: params.get("state") || undefined, tier: params.get("tier") || undefined });
    const [queue, warnings] = await Promise.all([deskQueue(user, query), absenceWarnings()]);
    return { ...queue, warnings };
  });
}

export default function Desk() {
  const { items, counts, filters, tiers, warnings } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const submit = useSubmit();

  // Changes arrive through <LiveUpdates>; this reload keeps the response clocks current between them.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [revalidator]);

  return (
    <div className="stack">
      <header>
        <h1>Paid support queue</h1>
        <p>
          Paid tickets only, the least time left on the response clock first, then the faster tier. <Link to="/desk/numbers">Numbers</Link>{" "}
          · <Link to="/desk/availability">Availability</Link>
        </p>
      </header>
      <AbsenceWarnings warnings={warnings} manageLink />
      <LiveUpdates url="/live/desk" announce={() => "The queue changed."} />
      <ul className="desk-counts" aria-label="Open paid items" aria-live="polite">
        <li>
          <strong>{counts.total}</strong> open in total
        </li>
        {QUEUE_STATES.map((s) => (
          <li key={s}>
            <strong>{counts[s]}</strong> {stateLabel(s)}
          </li>
        ))}
      </ul>
      <Form
        method="get"
        className="desk-filters"
        aria-label="Filter the queue"
        onChange={(e) => submit(e.currentTarget, { replace: true })}
      >
        <div className="field">
          <label htmlFor="desk-state">State</label>
          <select id="desk-state" name="state" defaultValue={filters.state ?? ""}>
            <option value="">All open states</option>
            {QUEUE_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="desk-tier">Tier</label>
          <select id="desk-tier" name="tier" defaultValue={filters.tier ?? ""}>
            <option value="">All tiers</option>
            {tiers.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </Form>
      <p className="hint shortcut-hint" id="desk-shortcuts">
        Keyboard: <kbd>j</kbd> next, <kbd>k</kbd> previous, <kbd>o</kbd> or <kbd>Enter</kbd> open.
      </p>
      <QueueList items={items} />
    </div>
  );
}
