import { createUser as createUserEndpoint } from "~/api/endpoints/accounts";
import { listPeople } from "~/api/endpoints/people";
import { handle, on } from "~/api/endpoint.server";
import { needs } from "~/api/guards.server";
import { findPeople } from "~/models/accounts/people.server";
import { createUser } from "~/models/accounts/user.server";
import { enforceSignupRate } from "~/services/auth.server";

export const loader = handle(on(listPeople, async ({ user, query }) => findPeople(user, query), needs("user:role:manage")));

export const action = handle(
  on(createUserEndpoint, async ({ request, body }) => {
    await enforceSignupRate(request);
    return Response.json(await createUser(body), { status: 201 });
  }),
);
