import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listMeta, ThreadListPage, threadListLinks } from "~/components/thread-list";
import { forPage } from "~/utils/page-errors.server";
import { loadThreadList } from "~/utils/thread-list-query.server";

export const links = threadListLinks;

export const loader = ({ request }: LoaderFunctionArgs) => forPage(() => loadThreadList(request, { sort: "unanswered" }));

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  listMeta(data, {
    title: "Unanswered threads",
    description: "Questions nobody has replied to yet. Know the answer? Help someone out.",
    base: "/unanswered",
  });

export default function Unanswered() {
  const data = useLoaderData<typeof loader>();
  return (
    <ThreadListPage
      title="Unanswered threads"
      base="/unanswered"
      data={data}
      solvedFilter={false}
      intro={<p>Questions without a reply yet, most recent first. Know the answer? Help someone out.</p>}
      empty="Every question has at least one reply. Nice work, everyone."
    />
  );
}
