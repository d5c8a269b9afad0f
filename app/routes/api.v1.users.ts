import { createUser as createUserEndpoint } from "~/api/endpoints/accounts";
import { handle, on } from "~/api/endpoint.server";
import { createUser } from "~/models/accounts/user.server";
import { enforceSignupRate } from "~/services/auth.server";

export const action = handle(
  on(createUserEndpoint, async ({ request, body }) => {
    await enforceSignupRate(request);
    return Response.json(await createUser(body), { status: 201 });
  }),
);
