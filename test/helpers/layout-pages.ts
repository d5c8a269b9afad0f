import type { Browser, Page } from "playwright-core";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// Who sees which pages, for the layout test and `npm run screenshots`: every role of
// docs/product.md §1 on the main pages it may open, and the links its header must offer.

export type RoleTour = {
  role: "visitor" | "member" | "moderator" | "maintainer" | "admin";
  email: string | null;
  /** Paths, with "{thread}", "{threadId}", "{edit}" and "{ticket}" filled from `tourPlaces()`. */
  pages: string[];
  /** Links, buttons and the search box in the header, by accessible name. */
  links: string[];
};

const PUBLIC_PAGES = [
  "/",
  "/latest",
  "/top",
  "/unanswered",
  "/c/pro",
  "{thread}",
  "/search?q=webhook",
  "/tags",
  "/tags/webhooks",
  "/support",
  "/u/grace",
];
const VISITOR_PAGES = [...PUBLIC_PAGES, "/login", "/join"];
const MEMBER_PAGES = [...PUBLIC_PAGES, "/new", "/notifications", "/tickets", "/insurance", "/settings"];
// The paid lane's two main screens: the member's gate and the ticket, which the desk opens too (issue 18).
const DESK_PAGES = ["/desk", "/desk/numbers", "/desk/availability", "{ticket}"];
const PUBLIC_LINKS = ["Categories", "Latest", "Top", "Unanswered", "Tags", "Support", "Search the forum"];
const ACCOUNT_LINKS = ["Ask", "Notifications", "Your profile", "Account settings", "Sign out"];

export const ROLE_TOURS: RoleTour[] = [
  { role: "visitor", email: null, pages: VISITOR_PAGES, links: [...PUBLIC_LINKS, "Sign in", "Join"] },
  {
    role: "member",
    email: "member@backline.local",
    pages: [...MEMBER_PAGES, "{edit}", "/escalate/{threadId}", "{ticket}"],
    links: [...PUBLIC_LINKS, "Tickets", ...ACCOUNT_LINKS],
  },
  {
    role: "moderator",
    email: "moderator@backline.local",
    pages: [...MEMBER_PAGES, "{edit}", "/mod", "/mod/audit"],
    links: [...PUBLIC_LINKS, "Moderation", "Tickets", ...ACCOUNT_LINKS],
  },
  {
    role: "maintainer",
    email: "maintainer@backline.local",
    pages: [...MEMBER_PAGES, ...DESK_PAGES],
    links: [...PUBLIC_LINKS, "Desk", ...ACCOUNT_LINKS],
  },
  {
    role: "admin",
    email: "admin@backline.local",
    pages: [
      ...MEMBER_PAGES,
      "{edit}",
      "/mod",
      "/mod/audit",
      ...DESK_PAGES,
      "/admin",
      "/admin/people",
      "/admin/categories",
      "/admin/tiers",
      "/admin/insurance",
      "/admin/macros",
    ],
    links: [...PUBLIC_LINKS, "Moderation", "Desk", "Admin", ...ACCOUNT_LINKS],
  },
];

export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1280, height: 800 };

/** A page in a fresh browser context, signed in through the form when the tour has an account. */
export async function tourPage(browser: Browser, baseUrl: string, tour: RoleTour): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext({ viewport: LAPTOP })).newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => (m.type() === "error" ? errors.push(`${page.url()}: ${m.text()}`) : undefined));
  if (tour.email) {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("E-mail").fill(tour.email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  }
  return { page, errors };
}

const DEMO_THREAD = "Webhook signature fails after upgrading to 3.2";

/** A demo thread's path ("/t/<id>/<slug>"), read from the latest list. */
export async function demoThreadPath(page: Page, baseUrl: string, title = DEMO_THREAD): Promise<string> {
  await page.goto(`${baseUrl}/latest`);
  const href = await page.getByRole("link", { name: title }).first().getAttribute("href");
  if (!href) throw new Error(`The demo thread "${title}" is missing from /latest`);
  return href;
}

const threadIdOf = (path: string) => path.split("/")[2]!;

// A realistic request, so the ticket page and its screenshot show what a maintainer reads.
const REQUEST = {
  tier: "standard",
  productVersion: "3.2.1",
  environment: "Debian 12, Node 20.19, behind nginx 1.24",
  stepsToReproduce: "1. Upgrade from 3.1.4 to 3.2.1\n2. Send a test webhook from the dashboard\n3. It is rejected with invalid signature",
  alreadyTried: "Checked the secret twice and mounted the webhook route before express.json().",
  acceptScope: true,
};

/**
 * A paid ticket of the member signed in on `page`, on the demo thread about API keys: escalated and authorised
 * through the test-mode checkout, as the member's browser does (the same cookies, through `page.request`).
 * Returns its path ("/tickets/<id>").
 */
export async function openPaidTicket(page: Page, baseUrl: string): Promise<string> {
  const threadId = threadIdOf(await demoThreadPath(page, baseUrl, "How do I rotate API keys without downtime?"));
  const escalated = await page.request.post(`${baseUrl}/api/v1/threads/${threadId}/escalations`, { data: REQUEST });
  if (escalated.status() !== 201) throw new Error(`escalation: HTTP ${escalated.status()} ${await escalated.text()}`);
  const { escalationId } = (await escalated.json()) as { escalationId: string };
  // The checkout's answer redirects to the return page, which redirects to the new ticket.
  const paid = await page.request.post(`${baseUrl}/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
  const ticket = new URL(paid.url()).pathname;
  if (!ticket.startsWith("/tickets/")) throw new Error(`the test checkout ended on ${paid.url()}`);
  return ticket;
}

/** The addresses a tour's pages name, as this role sees them ("{edit}" is the question's edit page, when it may edit it). */
export async function tourPlaces(page: Page, baseUrl: string, ticket: string): Promise<Record<string, string>> {
  const thread = await demoThreadPath(page, baseUrl);
  await page.goto(baseUrl + thread);
  // A member's page is the shared page until their own state has hydrated into it (ADR 042): only then does it
  // show their account menu and their Edit links.
  const signedIn = (await page.context().cookies(baseUrl)).some((c) => c.name === "__session");
  if (signedIn) await page.locator("summary.account-button").waitFor();
  const edit = page.getByRole("article", { name: "Question" }).getByRole("link", { name: "Edit", exact: true });
  return { thread, threadId: threadIdOf(thread), ticket, edit: (await edit.count()) ? (await edit.getAttribute("href"))! : "" };
}

/** A tour's path with its places filled in. */
export const placePath = (p: string, places: Record<string, string>) =>
  p.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!places[name]) throw new Error(`The tour names {${name}}, which this role has no address for`);
    return places[name];
  });
