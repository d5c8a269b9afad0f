import { getAvailability, putAvailability } from "~/api/endpoints/availability";
import { handle, on } from "~/api/endpoint.server";
import { needs } from "~/api/guards.server";
import { loadAvailability, presentAvailability, saveAvailability } from "~/models/availability/availability.server";

const REFUSAL = "Only maintainers and admins set the support availability.";

export const loader = handle(
  on(getAvailability, async () => presentAvailability(await loadAvailability()), needs("availability:manage", REFUSAL)),
);
export const action = handle(
  on(putAvailability, async ({ user, body }) => saveAvailability(user, body), needs("availability:manage", REFUSAL)),
);
