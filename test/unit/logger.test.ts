import { describe, expect, it } from "vitest";
import { describeError } from "~/services/logger.server";

describe("error logging", () => {
  it("keeps the first message line and the stack, never the quoted query arguments", () => {
    const error = new Error(
      '\nInvalid `prisma.ticketMessage.create()` invocation:\n\n{ data: { body: "my private server password is hunter2" } }\n\nUnique constraint failed',
    );
    const text = describeError(error);
    expect(text).toContain("Invalid `prisma.ticketMessage.create()` invocation:");
    expect(text).toMatch(/\n\s+at /);
    expect(text).not.toContain("hunter2");
  });
});
