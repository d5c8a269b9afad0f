import { getProfile as endpointDef } from "~/api/endpoints/people";
import { handle, on } from "~/api/endpoint.server";
import { getProfile } from "~/models/community/profile.server";

// One handler for every method, so anything but GET gets a JSON 405.
export const loader = handle(on(endpointDef, async ({ params }) => getProfile(params.username ?? "")));
export const action = loader;
