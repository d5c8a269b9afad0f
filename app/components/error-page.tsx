import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

const TITLES: Record<number, string> = {
  400: "That request did not work",
  401: "Please sign in",
  403: "Not allowed",
  404: "Page not found",
  405: "This address does not take that request",
  409: "That conflicts with the current state",
  415: "That form arrived in a format we cannot read",
  429: "Slow down a little",
  503: "Temporarily unavailable",
};

export function ErrorPage() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : (error.data?.message ?? error.statusText)
    : "Something went wrong on our side. Try again in a moment.";
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-status">{status}</p>
      <h1 id="error-title">{TITLES[status] ?? "Something went wrong"}</h1>
      <p>{status === 404 ? "We could not find what you were looking for. It may have moved or never existed." : message}</p>
      <p>
        <Link to="/">Back to the categories</Link>
      </p>
    </section>
  );
}
