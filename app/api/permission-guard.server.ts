import { can, type Permission } from "~/models/permissions";
import { getUser } from "~/services/auth.server";
import { forbidden } from "~/utils/errors";
import { apiError, type Handled } from "./endpoint.server";

/**
 * For staff-only endpoints: a signed-in caller without the permission gets 403
 * before the body is validated, so members learn nothing about the input rules.
 * Signed-out callers fall through to the endpoint's own 401; the model checks
 * the permission again.
 */
export function staffOnly(permission: Permission, handler: Handled): Handled {
  const guarded: Handled = Object.assign(
    async (args: Parameters<Handled>[0]) => {
      const user = await getUser(args.request);
      if (user && !can(user, permission)) return apiError(forbidden("Only moderators can do that."));
      return handler(args);
    },
    // The same methods as the endpoints it guards: Allow headers are built from them.
    { methods: handler.methods },
  );
  return guarded;
}
