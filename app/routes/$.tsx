import { ErrorPage } from "~/components/error-page";
import { pageFailure } from "~/utils/app-error-response.server";
import { notFound } from "~/utils/errors";

// Any unknown page: a real 404 status rendered by the one error page.
export const loader = () => {
  throw pageFailure(notFound("Not found"));
};

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
