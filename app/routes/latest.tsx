import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listMeta, ThreadListPage, threadListLinks } from "~/components/thread-list";
import { forPage } from "~/utils/page-errors.server";
import { loadThreadList } from "~/utils/thread-list-query.server";

export const links = threadListLinks;

export const loader = ({ request }: LoaderFunctionArgs) => forPage(() => loadThreadList(request, { sort: "latest" }));

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  listMeta(data, {
    title: "Latest threads",
    description: "The most recently active questions and answers in the Backline community.",
    base: "/latest",
    feedBase: "/latest",
  });

export default function Latest() {
  const data = useLoaderData<typeof loader>();
  return <ThreadListPage title="Latest threads" base="/latest" feedBase="/latest" data={data} askIn="" />;
}
