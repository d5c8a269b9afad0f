import { signOutEverywhere as endpointDef } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { signOutEverywhere } from "~/services/auth.server";

// A token may call it too: it only takes access away, the calling token's included.
export const action = handle(
  on(endpointDef, async ({ request, user }) => {
    return new Response(null, { status: 204, headers: { "Set-Cookie": await signOutEverywhere(request, user) } });
  }),
);
