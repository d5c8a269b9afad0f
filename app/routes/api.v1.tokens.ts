import { createToken } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { createApiToken } from "~/models/accounts/api-token.server";
import { requirePermission } from "~/models/permissions";

export const action = handle(
  on(createToken, async ({ user, body }) => {
    requirePermission(user, "token:create");
    return createApiToken(user.id, body);
  }),
);
