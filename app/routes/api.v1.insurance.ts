import { getInsurance } from "~/api/endpoints/desk";
import { handle, on } from "~/api/endpoint.server";
import { insuranceStatus } from "~/models/insurance/insurance.server";

export const loader = handle(on(getInsurance, async ({ user }) => insuranceStatus(user)));
