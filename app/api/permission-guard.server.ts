import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { can } from "~/models/permissions";
import { getUser } from "~/services/auth.server";
import { forbidden } from "~/utils/errors";
import { apiError } from "./endpoint.server";

type Handler = (args: LoaderFunctionArgs | ActionFunctionArgs) => Promise<Response>;

/**
 * For staff-only endpoints: a signed-in caller without the permission gets 403
 * before the body is validated, so members learn nothing about the input rules.
 * Signed-out callers fall through to the endpoint's own 401; the model checks
 * the permission again.
 */
export function staffOnly(permission: string, handler: Handler): Handler {
  return async (args) => {
    const user = await getUser(args.request);
    if (user && !can(user, permission)) return apiError(forbidden("Only moderators can do that."));
    return handler(args);
  };
}
