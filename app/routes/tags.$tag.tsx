import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listMeta, ThreadListPage, threadListLinks } from "~/components/thread-list";
import { findTag } from "~/models/community/tag-directory.server";
import { forPage } from "~/utils/page-errors.server";
import { loadThreadList } from "~/utils/thread-list-query.server";

export const links = threadListLinks;

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  forPage(async () => {
    const tag = await findTag(params.tag ?? "");
    return { tag, ...(await loadThreadList(request, { tag: tag.name })) };
  });

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  listMeta(data, {
    title: `Threads tagged ${data?.tag.name ?? ""}`,
    description: `Questions and answers about ${data?.tag.name ?? "this topic"}.`,
    base: `/tags/${encodeURIComponent(data?.tag.name ?? "")}`,
    sortable: true,
  });

export default function TagPage() {
  const { tag, ...data } = useLoaderData<typeof loader>();
  return (
    <ThreadListPage
      title={
        <>
          Threads tagged <span className="tag">{tag.name}</span>
        </>
      }
      base={`/tags/${encodeURIComponent(tag.name)}`}
      data={data}
      sortable
      intro={
        <p>
          <Link to="/tags">All tags</Link>
        </p>
      }
    />
  );
}
