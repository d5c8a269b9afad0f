import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listMeta, ThreadListPage, threadListLinks } from "~/components/thread-list";
import { forPage } from "~/utils/page-errors.server";
import { loadThreadList } from "~/utils/thread-list-query.server";

export const links = threadListLinks;

export const loader = ({ request }: LoaderFunctionArgs) => forPage(() => loadThreadList(request, { sort: "top" }));

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  listMeta(data, {
    title: "Top threads",
    description: "The questions the community found most helpful.",
    base: "/top",
  });

export default function Top() {
  const data = useLoaderData<typeof loader>();
  return (
    <ThreadListPage
      title="Top threads"
      base="/top"
      data={data}
      askIn=""
      intro={<p>Threads whose question the community marked helpful most often.</p>}
    />
  );
}
