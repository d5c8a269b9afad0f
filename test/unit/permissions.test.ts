import { describe, expect, it } from "vitest";
import { can, permissionsOf, requirePermission } from "~/models/permissions";

const member = { id: "m1", role: "member" as const };
const moderator = { id: "mod", role: "moderator" as const };
const maintainer = { id: "mt", role: "maintainer" as const };
const admin = { id: "a", role: "admin" as const };

describe("permissions", () => {
  it("lets a member edit their own post but not someone else's", () => {
    expect(can(member, "post:edit", "m1")).toBe(true);
    expect(can(member, "post:edit", "other")).toBe(false);
  });

  it("lets a moderator edit any post and handle flags, but not read tickets", () => {
    expect(can(moderator, "post:edit", "other")).toBe(true);
    expect(can(moderator, "flag:handle")).toBe(true);
    expect(can(moderator, "ticket:read", "someone")).toBe(false);
  });

  it("lets a maintainer read any ticket but not hide posts", () => {
    expect(can(maintainer, "ticket:read", "someone")).toBe(true);
    expect(can(maintainer, "post:hide", "someone")).toBe(false);
  });

  it("gives an admin everything the other roles have", () => {
    for (const role of ["member", "moderator", "maintainer"] as const) {
      for (const p of permissionsOf(role)) expect(can(admin, p), p).toBe(true);
    }
    expect(can(admin, "category:manage")).toBe(true);
  });

  it("refuses visitors with 401 and members without the permission with 403", () => {
    expect(() => requirePermission(null, "thread:create")).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => requirePermission(member, "category:manage")).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requirePermission(member, "thread:create")).not.toThrow();
  });
});
