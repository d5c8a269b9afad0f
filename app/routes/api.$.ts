import { apiError } from "~/api/endpoint.server";
import { notFound } from "~/utils/errors";

// Unknown API paths answer in the API's JSON error format, never an HTML page.
const notFoundJson = ({ request }: { request: Request }) =>
  apiError(notFound(`No API endpoint ${request.method} ${new URL(request.url).pathname}. See /api/v1/openapi.json.`));

export const loader = notFoundJson;
export const action = notFoundJson;
