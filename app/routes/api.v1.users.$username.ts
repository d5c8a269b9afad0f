import { getProfile as endpointDef, updatePerson as updateDef } from "~/api/endpoints/people";
import { handle, on } from "~/api/endpoint.server";
import { needs } from "~/api/guards.server";
import { changePerson } from "~/models/accounts/people.server";
import { getProfile } from "~/models/community/profile.server";

// One handler for every method, so anything but GET and PATCH gets a JSON 405.
export const loader = handle(
  on(endpointDef, async ({ params }) => getProfile(params.username ?? "")),
  on(updateDef, async ({ params, user, body }) => changePerson(user, params.username ?? "", body), needs("user:role:manage")),
);
export const action = loader;
