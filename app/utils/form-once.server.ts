import { randomBytes } from "node:crypto";
import { fingerprintOf, once } from "~/models/idempotency.server";
import { badRequest } from "./errors";
import { FORM_TOKEN_FIELD } from "./form-token";

// A double click, or a browser resending a slow POST, submits a form twice.
// The page renders a fresh one-time token in a hidden field; the first
// submission with it runs, any other gets the first one's redirect.

export { FORM_TOKEN_FIELD };

/** A new token for each render of a form: after a success the page reloads with another one. */
export const newFormToken = () => randomBytes(18).toString("base64url");

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * Runs a form's action once per token and returns where to redirect. Forms
 * posted without a token (scripts, old pages) are not deduplicated.
 */
export async function submitOnce(user: { id: string }, scope: string, form: FormData, run: () => Promise<string>): Promise<string> {
  const token = form.get(FORM_TOKEN_FIELD);
  if (token === null) return run();
  if (typeof token !== "string" || !TOKEN.test(token)) {
    throw badRequest("This form is out of date. Reload the page and submit it again.");
  }
  const fields = [...form.entries()].filter(([name, value]) => name !== FORM_TOKEN_FIELD && typeof value === "string");
  const { result } = await once<{ location: string }>(
    { userId: user.id, scope: `form:${scope}`, key: token, fingerprint: fingerprintOf(fields) },
    async () => ({ location: await run() }),
    {
      reused: "This form was already sent with different content. Reload the page to send a new one.",
      busy: "This form is still being sent. Wait a moment, then reload the page.",
    },
  );
  return result.location;
}
