import { describe, expect, it } from "vitest";
import { signInPage, useSeededAppInBrowser } from "../helpers/e2e";

// Availability in a real browser (docs/product.md §4.13): the maintainer plans an absence,
// the member sees paid support paused on the thread and the gate and asks to be told.

const app = useSeededAppInBrowser();

const THREAD = "How do I rotate API keys without downtime?";
const H = 3_600_000;
// datetime-local values, in UTC as the page says.
const local = (d: Date) => d.toISOString().slice(0, 16);

describe("availability in the browser", () => {
  it("an absence pauses paid support on the thread and the gate; the member asks to be e-mailed; clearing it reopens", async () => {
    const { page: desk, errors: deskErrors } = await signInPage(app, "maintainer@backline.local");
    await desk.goto(`${app.server.url}/desk/availability`);
    await desk.getByRole("heading", { name: "Availability" }).waitFor();
    const first = desk.getByRole("group", { name: "Absence 1" });

    // A reversed absence is refused next to its field.
    await first.getByLabel("From").fill(local(new Date(Date.now() + 48 * H)));
    await first.getByLabel("To").fill(local(new Date(Date.now() + 24 * H)));
    await desk.getByRole("button", { name: "Save availability" }).click();
    await first.getByText("The end must be after the start.").waitFor();

    const to = new Date(Date.now() + 5 * 24 * H);
    await first.getByLabel("From").fill(local(new Date(Date.now() + H)));
    await first.getByLabel("To").fill(local(to));
    await first.getByLabel("Note").fill("Conference week");
    await desk.getByRole("button", { name: "Save availability" }).click();
    await desk.getByText("Availability saved.").waitFor();
    // The action's answer can show before the page's data is read again: wait for the new state.
    await desk.getByTestId("intake-state").filter({ hasText: "paused" }).waitFor();

    // The thread says so next to "Get paid support".
    const { page: member, errors: memberErrors } = await signInPage(app, "member@backline.local");
    await member.getByRole("link", { name: "Backline Pro" }).first().click();
    await member.getByRole("link", { name: THREAD }).click();
    await expect(member.getByTestId("support-intake").textContent()).resolves.toMatch(
      /^Paused: the maintainer takes no new tickets until /,
    );

    // The gate shows the pause with its date instead of the form, and takes the request.
    await member.getByRole("link", { name: "Get paid support" }).click();
    await member.getByRole("heading", { name: "Paid support is paused" }).waitFor();
    await member.getByTestId("support-waiting").waitFor();
    await member.getByText(/It reopens on .* UTC\./).waitFor();
    // Each tier still shows its promise, its reopening and its recent median.
    for (const tier of ["standard", "priority"]) {
      await expect(member.getByTestId(`tier-${tier}`).textContent()).resolves.toMatch(
        /first response within \d+ hours.*Paused until .* UTC; /,
      );
    }
    expect(await member.getByRole("button", { name: "Continue to payment" }).count()).toBe(0);
    await member.getByRole("button", { name: "E-mail me when it reopens" }).click();
    await member.getByText("We will e-mail you once when it reopens.").waitFor();

    // Clearing the absence reopens intake: the gate form is back, each tier with its recent median.
    await desk.reload();
    await first.getByLabel("From").fill("");
    await first.getByLabel("To").fill("");
    await first.getByLabel("Note").fill("");
    await desk.getByRole("button", { name: "Save availability" }).click();
    await desk.getByText("Availability saved.").waitFor();
    await desk.getByTestId("intake-state").filter({ hasText: "open" }).waitFor();

    await member.reload();
    await member.getByRole("button", { name: "Continue to payment" }).waitFor();
    await expect(member.getByTestId("tier-priority").textContent()).resolves.toMatch(
      /median first response in the last 30 days|no answered tickets/,
    );
    // The reversed absence's 400 is the one failed request the browser logs; nothing else failed.
    expect(deskErrors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    expect(memberErrors).toEqual([]);
  }, 120_000);
});
