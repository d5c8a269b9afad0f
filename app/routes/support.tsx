import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { publicSupportOffer } from "~/models/escalation/support-offer.server";
import { getUser } from "~/services/auth.server";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";
import { plural } from "~/utils/text";

// The paid lane explained before anyone signs in (docs/product.md §4): prices, promises and
// what happens to the money in each outcome, in the words the ticket pages use.

export const meta: MetaFunction = () => [
  { title: "Paid support · Backline" },
  { name: "description", content: "Support tiers, response times, prices and support insurance plans." },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return forPage(async () => ({ ...(await publicSupportOffer()), signedIn: Boolean(user) }));
}

export default function Support() {
  const { tiers, plans, signedIn } = useLoaderData<typeof loader>();
  return (
    <div className="stack support-page">
      <header>
        <h1>Paid support</h1>
        <p>
          Ask the community first: most questions are answered there for free. When you need the maintainer, any thread in a supported
          category can be escalated to a private ticket with a promised response time.
        </p>
      </header>

      <section aria-labelledby="tiers-title">
        <h2 id="tiers-title">Support tiers</h2>
        <OfferList
          empty="No support tiers are offered at the moment; the community is still here to help."
          offers={tiers.map((t) => ({
            id: t.id,
            name: t.name,
            price: formatPrice(t.priceCents, t.currency),
            promise: (
              <>
                A first answer from the maintainer within <strong>{plural(t.responseHours, "hour")}</strong> of paying.
              </>
            ),
          }))}
        />
      </section>

      <section aria-labelledby="promise-title" className="card">
        <h2 id="promise-title">What we promise</h2>
        <ul>
          <li>Your card is authorised when you pay, and charged only if the maintainer accepts the ticket.</li>
          <li>Nobody accepts or rejects your ticket within the response time: the authorisation is released and you pay nothing.</li>
          <li>A rejected ticket (out of scope, duplicate) is not charged either; you can withdraw until someone decides.</li>
          <li>The ticket is private between you and the maintainer; the public thread only shows that it went to paid support.</li>
          <li>
            Paid support covers defects and use of the product, not custom development, server administration or third-party software.
          </li>
        </ul>
      </section>

      <section aria-labelledby="plans-title">
        <h2 id="plans-title">Support insurance</h2>
        <p>
          A yearly plan that pays for tickets from its coverage, with no card needed each time. A declined or expired ticket returns the
          amount.
        </p>
        <OfferList
          empty="No insurance plans are offered at the moment; each ticket can be paid by card."
          offers={plans.map((p) => ({
            id: p.id,
            name: p.name,
            price: `${formatPrice(p.priceCents, p.currency)} a year`,
            promise: `${formatPrice(p.coverageCents, p.currency)} of paid support during the year.`,
          }))}
        />
      </section>

      {signedIn ? (
        <p className="row">
          <Link to="/insurance" className="button">
            Support insurance
          </Link>
          <Link to="/tickets">Your tickets</Link>
        </p>
      ) : (
        <p className="row">
          <Link to="/join" className="button">
            Join to get support
          </Link>
          <Link to="/login">Sign in</Link>
        </p>
      )}
    </div>
  );
}

/** Priced offers as cards, or what to do when there are none. */
function OfferList({ offers, empty }: { offers: { id: string; name: string; price: string; promise: React.ReactNode }[]; empty: string }) {
  if (!offers.length) return <p className="empty-list">{empty}</p>;
  return (
    <ul className="offer-list">
      {offers.map((o) => (
        <li key={o.id} className="card offer">
          <h3>{o.name}</h3>
          <p className="offer-price">{o.price}</p>
          <p>{o.promise}</p>
        </li>
      ))}
    </ul>
  );
}
