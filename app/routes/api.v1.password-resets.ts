import { requestPasswordReset as endpointDef } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { requestPasswordReset } from "~/models/accounts/password-reset.server";

export const action = handle(
  on(endpointDef, async ({ body }) => {
    await requestPasswordReset(body);
    return Response.json({ ok: true }, { status: 202 });
  }),
);
