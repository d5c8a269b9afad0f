import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { listMeta, ThreadListPage, threadListLinks } from "~/components/thread-list";
import { findCategoryBySlug } from "~/models/community/category.server";
import { notFound } from "~/utils/errors";
import { forPage } from "~/utils/page-errors.server";
import { loadThreadList } from "~/utils/thread-list-query.server";

export const links = threadListLinks;

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  forPage(async () => {
    const category = await findCategoryBySlug(params.slug ?? "");
    if (!category) throw notFound("There is no such category.");
    return { category, ...(await loadThreadList(request, { category: category.slug })) };
  });

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  listMeta(data, {
    title: data?.category.name ?? "Category",
    description: data?.category.description || `Questions and answers in ${data?.category.name}.`,
    base: `/c/${data?.category.slug}`,
    feedBase: `/c/${data?.category.slug}/feed`,
    sortable: true,
  });

export default function CategoryPage() {
  const { category, ...data } = useLoaderData<typeof loader>();
  const base = `/c/${category.slug}`;
  return (
    <ThreadListPage
      title={category.name}
      base={base}
      feedBase={`${base}/feed`}
      data={data}
      sortable
      showCategory={false}
      askIn={category.slug}
      intro={
        <div>
          {category.description ? <p>{category.description}</p> : null}
          <p className="meta">
            <span className={category.supported ? "badge supported" : "badge community"}>
              {category.supported ? "Paid support available" : "Community support only"}
            </span>
          </p>
        </div>
      }
    />
  );
}
