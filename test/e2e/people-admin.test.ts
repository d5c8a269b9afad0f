import { describe, expect, it } from "vitest";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";
import { Client } from "../helpers/http";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// People administration in Chromium (issue 18, docs/decisions/049): an admin finds a member, changes
// their role, suspends and unsuspends them from /admin/people, with JavaScript running (the page once
// failed after hydration: it imported a helper from a .server module), and the suspension holds.

const app = useSeededAppInBrowser();

describe("people in the admin", () => {
  it("finds a member, changes the role, suspends and unsuspends", async () => {
    const { page, errors } = await signInPage(app, "admin@backline.local");
    await page.goto(`${app.server.url}/admin/people`);
    await page.getByLabel("Username or e-mail").fill("grace");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByText("1 account matching “grace”").waitFor();

    await page.getByRole("combobox", { name: "Role of @grace" }).selectOption("moderator");
    await page.getByRole("button", { name: "Change role" }).click();
    await page.getByRole("status").filter({ hasText: "@grace is now moderator." }).waitFor();

    const suspend = page.getByRole("form", { name: "Suspend @grace" });
    await suspend.getByLabel("Until").fill("2099-05-01");
    await suspend.getByLabel("Reason").fill("Cooling off after a heated thread");
    await suspend.getByRole("button", { name: "Suspend" }).click();
    await page.getByRole("cell", { name: "Suspended until 2099-05-01 00:00 UTC" }).waitFor();

    // The suspension is real: grace cannot sign in while it lasts.
    const signIn = await new Client(app.server.url).post("/api/v1/session", { email: "member2@backline.local", password: DEMO_PASSWORD });
    expect(signIn.status).toBe(403);

    await page.getByRole("button", { name: "Unsuspend" }).click();
    await page.getByRole("cell", { name: "Active" }).waitFor();
    const again = await new Client(app.server.url).post("/api/v1/session", { email: "member2@backline.local", password: DEMO_PASSWORD });
    expect(again.status).toBe(200);
    expect(errors).toEqual([]);
  }, 120_000);
});
