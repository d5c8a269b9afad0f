import type { Browser, Page } from "playwright-core";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// Who sees which pages, for the layout test and `npm run screenshots`: every role of
// docs/product.md §1 on the main pages it may open, and the links its header must offer.

export type RoleTour = {
  role: "visitor" | "member" | "moderator" | "maintainer" | "admin";
  email: string | null;
  /** Paths, with "{thread}" for the demo thread's address. */
  pages: string[];
  /** Links, buttons and the search box in the header, by accessible name. */
  links: string[];
};

const PUBLIC_PAGES = ["/", "/latest", "{thread}", "/search?q=webhook", "/tags", "/tags/webhooks", "/support", "/u/grace"];
const MEMBER_PAGES = [...PUBLIC_PAGES, "/new", "/notifications", "/tickets", "/insurance", "/settings"];
const PUBLIC_LINKS = ["Categories", "Latest", "Top", "Unanswered", "Tags", "Support", "Search the forum"];
const ACCOUNT_LINKS = ["Ask", "Notifications", "Your profile", "Account settings", "Sign out"];

export const ROLE_TOURS: RoleTour[] = [
  { role: "visitor", email: null, pages: PUBLIC_PAGES, links: [...PUBLIC_LINKS, "Sign in", "Join"] },
  { role: "member", email: "member@backline.local", pages: MEMBER_PAGES, links: [...PUBLIC_LINKS, "Tickets", ...ACCOUNT_LINKS] },
  {
    role: "moderator",
    email: "moderator@backline.local",
    pages: [...MEMBER_PAGES, "/mod", "/mod/audit"],
    links: [...PUBLIC_LINKS, "Moderation", "Tickets", ...ACCOUNT_LINKS],
  },
  {
    role: "maintainer",
    email: "maintainer@backline.local",
    pages: [...MEMBER_PAGES, "/desk", "/desk/numbers"],
    links: [...PUBLIC_LINKS, "Desk", ...ACCOUNT_LINKS],
  },
  {
    role: "admin",
    email: "admin@backline.local",
    pages: [
      ...MEMBER_PAGES,
      "/mod",
      "/desk",
      "/desk/numbers",
      "/admin",
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

/** The demo thread's path ("/t/<id>/<slug>"), read from the latest list. */
export async function demoThreadPath(page: Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/latest`);
  const href = await page.getByRole("link", { name: "Webhook signature fails after upgrading to 3.2" }).first().getAttribute("href");
  if (!href) throw new Error("The demo thread is missing from /latest");
  return href;
}
