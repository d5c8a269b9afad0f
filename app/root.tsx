import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { SiteHeader } from "~/components/site-header";
import { getEnv } from "~/env.server";
import { unreadCount } from "~/models/notifications/notification.server";
import { getUser } from "~/services/auth.server";
import styles from "~/styles/app.css";
import headerStyles from "~/styles/header.css";
import layoutStyles from "~/styles/layout.css";
// Through the build, so the icon gets a fingerprinted, immutably cached address (docs/decisions/043).
import favicon from "../public/favicon.svg";
import { useNonce } from "~/utils/nonce";
import { useEndOfHydration, useViewerPayload, ViewerSlot } from "~/utils/viewer-payload";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: headerStyles },
  { rel: "stylesheet", href: layoutStyles },
  { rel: "icon", href: favicon, type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const env = getEnv();
  return {
    user: user ? { id: user.id, username: user.username, role: user.role } : null,
    testMode: env.paymentsMode === "test",
    unreadCount: user ? await unreadCount(user.id) : 0,
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

export function Layout({ children }: { children: React.ReactNode }) {
  const loaded = useRouteLoaderData<typeof loader>("root");
  // A member's copy of a shared page names them through the payload (docs/decisions/042).
  const own = useViewerPayload("root", loaded);
  const data = loaded && own ? { ...loaded, ...own } : loaded;
  const nonce = useNonce();
  useEndOfHydration();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {data?.testMode ? (
          <p className="test-banner" role="note">
            Test mode: payments are simulated and no real money moves.
          </p>
        ) : null}
        <SiteHeader user={data?.user ?? null} unreadCount={data?.unreadCount ?? 0} />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>
            Backline — community help first, <Link to="/support">paid support</Link> when you need it.
          </p>
        </footer>
        <ViewerSlot />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  return <Outlet />;
}

// The one error boundary: every route's unexpected error and every thrown 4xx lands here.
export function ErrorBoundary() {
  return <ErrorPage />;
}
