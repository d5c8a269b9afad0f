import { ErrorPage } from "~/components/error-page";

// Any unknown page: a real 404 status rendered by the one error page.
export const loader = () => {
  throw new Response("Not found", { status: 404 });
};

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
