import { setInsuranceRenewal } from "~/api/endpoints/desk";
import { handle, on } from "~/api/endpoint.server";
import { insuranceStatus } from "~/models/insurance/insurance.server";
import { setPlanRenewal } from "~/models/insurance/renewal.server";

// The API's "don't renew": the JSON body is the explicit decision, so there is no confirmation step as on the page.
export const action = handle(
  on(setInsuranceRenewal, async ({ user, body }) => {
    await setPlanRenewal(user, body.renew);
    return insuranceStatus(user);
  }),
);
