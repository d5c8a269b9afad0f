import { describe, expect, it } from "vitest";
import { escapeMarkdown, renderMacro, unknownPlaceholders } from "~/models/desk/macro";
import { renderMarkdown } from "~/services/markdown.server";

const values = {
  "member.username": "ada_lovelace",
  "thread.title": "Webhook *signature* fails after upgrading to 3.2",
  "thread.url": "https://forum.example.com/t/abc/webhook-signature",
  "ticket.tier": "Priority",
  "maintainer.username": "maya",
};

describe("macro rendering", () => {
  it("fills every known placeholder, with spaces inside the braces allowed", () => {
    const out = renderMacro("Hi {{member.username}}, {{ maintainer.username }} here ({{ticket.tier}}).", values);
    expect(out).toBe("Hi ada\\_lovelace, maya here (Priority).");
  });

  it("leaves unknown placeholders visible so a typo is seen before sending", () => {
    expect(renderMacro("Hi {{member.usrname}} and {{nope}}", values)).toBe("Hi {{member.usrname}} and {{nope}}");
    expect(unknownPlaceholders("{{member.usrname}} {{thread.url}} {{nope}} {{nope}}")).toEqual(["member.usrname", "nope"]);
  });

  it("escapes values for Markdown: a title with emphasis or HTML stays literal text", () => {
    const md = renderMacro("About {{thread.title}}", {
      ...values,
      "thread.title": "Use *bold* <script>alert(1)</script> [x](javascript:y)",
    });
    const html = renderMarkdown(md, { allowLinks: true, allowImages: false, siteOrigin: "http://localhost" });
    expect(html).not.toContain("<em>");
    expect(html).not.toContain("<strong>");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<a ");
    expect(html).toContain("*bold*");
  });

  it("turns URLs into autolinks", () => {
    const md = renderMacro("See {{thread.url}}", values);
    expect(md).toBe("See <https://forum.example.com/t/abc/webhook-signature>");
    const html = renderMarkdown(md, { allowLinks: true, allowImages: false, siteOrigin: "http://localhost" });
    expect(html).toContain('href="https://forum.example.com/t/abc/webhook-signature"');
  });

  it("keeps ordinary text readable and defuses line starts that would make a list or heading", () => {
    expect(escapeMarkdown("version 3.2.1")).toBe("version 3.2.1");
    expect(escapeMarkdown("# not a heading")).toBe("\\# not a heading");
    expect(escapeMarkdown("- not a list")).toBe("\\- not a list");
    expect(escapeMarkdown("1. not a list")).toBe("1\\. not a list");
    expect(escapeMarkdown("two\nlines")).toBe("two lines");
  });

  it("does not touch a body without placeholders", () => {
    expect(renderMacro("Plain *markdown* stays", values)).toBe("Plain *markdown* stays");
  });
});
