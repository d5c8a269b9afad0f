import { describe, expect, it } from "vitest";
import { isCrossSiteMutation } from "~/services/csrf.server";

describe("cross-site request check", () => {
  const host = "forum.example";
  it("allows reads from anywhere", () => {
    expect(isCrossSiteMutation("GET", { origin: "https://evil.example", host })).toBe(false);
  });
  it("allows same-origin posts and scripts without an Origin", () => {
    expect(isCrossSiteMutation("POST", { origin: "https://forum.example", host })).toBe(false);
    expect(isCrossSiteMutation("POST", { host })).toBe(false);
  });
  it("refuses posts from another site, opaque origins and cross-site fetch metadata", () => {
    expect(isCrossSiteMutation("POST", { origin: "https://evil.example", host })).toBe(true);
    expect(isCrossSiteMutation("DELETE", { origin: "null", host })).toBe(true);
    expect(isCrossSiteMutation("PATCH", { host, secFetchSite: "cross-site" })).toBe(true);
    expect(isCrossSiteMutation("POST", { origin: "not a url", host })).toBe(true);
  });
  it("trusts the configured public origin behind a proxy", () => {
    expect(isCrossSiteMutation("POST", { origin: "https://forum.example", host: "10.0.0.5:3000" }, ["https://forum.example"])).toBe(false);
  });
});
