import { getSupportStatus } from "~/api/endpoints/availability";
import { handle, on } from "~/api/endpoint.server";
import { presentStatus, supportStatus } from "~/models/availability/availability.server";

export const loader = handle(on(getSupportStatus, async () => presentStatus(await supportStatus())));
