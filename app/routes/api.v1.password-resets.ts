import { requestPasswordReset as endpointDef } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { requestPasswordReset } from "~/models/password-reset.server";
import { siteOrigin } from "~/utils/url.server";

export const action = handle(
  on(endpointDef, async ({ request, body }) => {
    await requestPasswordReset(body, siteOrigin(request));
    return Response.json({ ok: true }, { status: 202 });
  }),
);
