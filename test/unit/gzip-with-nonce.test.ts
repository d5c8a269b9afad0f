import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipFilled, gzipTemplate, gzipWithNonce, piecesAround } from "~/server/gzip-with-nonce";

// A cached page is deflated once; each response fills its holes (the nonce, a member's state) in stored blocks.

const PLACEHOLDER = "__NONCE_PLACEHOLDER__";
const page = Buffer.from(
  `<html><script nonce="${PLACEHOLDER}">a()</script>${"<p>text</p>".repeat(500)}<script nonce="${PLACEHOLDER}"></script></html>`,
);

describe("gzip with holes", () => {
  it("gives the page with the nonce in every hole, and the length it announced", () => {
    const template = gzipTemplate(piecesAround(page, PLACEHOLDER), PLACEHOLDER);
    const nonce = "n".repeat(PLACEHOLDER.length);
    const body = gzipWithNonce(template, nonce);
    expect(body.length).toBe(template.length);
    expect(zlib.gunzipSync(body).toString()).toBe(page.toString().replaceAll(PLACEHOLDER, nonce));
  });

  it("fills holes of any length, an empty one and one longer than a stored block (65,535 bytes)", () => {
    const template = gzipTemplate(piecesAround(page, PLACEHOLDER), PLACEHOLDER);
    const long = Buffer.from("x".repeat(70_000) + "end");
    const body = gzipFilled(template, (i) => (i === 0 ? Buffer.alloc(0) : long));
    // gunzipSync checks the trailer's CRC and length too.
    const [first, second] = page.toString().split(PLACEHOLDER);
    expect(zlib.gunzipSync(body).toString()).toBe(`${first}${second}${long}${page.toString().split(PLACEHOLDER)[2]}`);
  });

  it("leaves a page without holes as one piece", () => {
    const plain = Buffer.from("<p>no scripts</p>");
    expect(piecesAround(plain, PLACEHOLDER)).toEqual([plain]);
    expect(zlib.gunzipSync(gzipWithNonce(gzipTemplate([plain], PLACEHOLDER), "n")).toString()).toBe("<p>no scripts</p>");
  });
});
