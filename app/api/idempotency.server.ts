import type { CurrentUser } from "~/services/auth.server";
import { fingerprintOf, NotStored, once } from "~/models/idempotency.server";
import { badRequest } from "~/utils/errors";

// `Idempotency-Key` on API POSTs, as Stripe's API has it: a client that
// retries after a timeout, or fires the same call twice, gets the first
// call's answer (marked `Idempotent-Replayed: true`) instead of a duplicate.

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
const KEY = /^[\x21-\x7e]{1,255}$/;

type Stored = { status: number; body: string; contentType: string | null };

/** Runs a signed-in POST once per Idempotency-Key; without the header (or signed out) it just runs. */
export async function idempotentPost(
  request: Request,
  user: CurrentUser | null,
  body: unknown,
  run: () => Promise<Response>,
): Promise<Response> {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null || request.method !== "POST" || !user) return run();
  if (!KEY.test(key)) {
    throw badRequest(`${IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters, e.g. a UUID.`, {
      [IDEMPOTENCY_HEADER]: "Use 1 to 255 visible ASCII characters.",
    });
  }
  const ref = { userId: user.id, scope: `POST ${new URL(request.url).pathname}`, key, fingerprint: fingerprintOf(body) };
  let first: Response | undefined;
  try {
    const { result, replayed } = await once<Stored>(
      ref,
      async () => {
        const response = (first = await run());
        // Refusals change nothing: the key stays free for the corrected request.
        if (response.status >= 400) throw new NotStored(response);
        return { status: response.status, body: await response.clone().text(), contentType: response.headers.get("Content-Type") };
      },
      {
        reused: `This ${IDEMPOTENCY_HEADER} was already used for a different request; send a new key for a new request.`,
        busy: `A request with this ${IDEMPOTENCY_HEADER} is still being processed; retry in a few seconds.`,
      },
    );
    if (!replayed) return first!;
    return new Response(result.body, { status: result.status, headers: { ...headersOf(result), "Idempotent-Replayed": "true" } });
  } catch (error) {
    if (error instanceof NotStored) return error.value as Response;
    throw error;
  }
}

const headersOf = (s: Stored): Record<string, string> => (s.contentType ? { "Content-Type": s.contentType } : {});
