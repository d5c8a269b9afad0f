import { describe, expect, it } from "vitest";
import { avatarColour, avatarInitials } from "~/components/avatar";
import { nounFor, plural } from "~/utils/text";

describe("avatars drawn from the username", () => {
  it("gives one or two initials from the name's words", () => {
    expect(avatarInitials("ada")).toBe("A");
    expect(avatarInitials("grace_hopper")).toBe("GH");
    expect(avatarInitials("x-y-z")).toBe("XY");
    expect(avatarInitials("émile")).toBe("É");
    expect(avatarInitials("__")).toBe("?");
  });

  it("gives the same name the same colour, whatever its case, and different names different colours", () => {
    expect(avatarColour("Ada")).toBe(avatarColour("ada"));
    const hues = new Set(["ada", "grace", "moira", "maya", "root"].map(avatarColour));
    expect(hues.size).toBe(5);
    expect(avatarColour("ada")).toMatch(/^hsl\(\d{1,3} 55% 30%\)$/);
  });
});

describe("plural", () => {
  it("says 1 reply, 0 and 2 replies, with thousands separated", () => {
    expect(plural(1, "reply", "replies")).toBe("1 reply");
    expect(plural(0, "reply", "replies")).toBe("0 replies");
    expect(plural(2, "post")).toBe("2 posts");
    expect(plural(1234, "thread")).toBe("1,234 threads");
    expect(nounFor(1, "vote")).toBe("vote");
    expect(nounFor(3, "entry", "entries")).toBe("entries");
  });
});
