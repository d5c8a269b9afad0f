import { Link } from "@remix-run/react";
import { href, type Params } from "./href";

/** One filter's values with their counts; the chosen one links back to the search without it. */
export function Facet({
  title,
  values,
  selected,
  param,
  params,
  label,
}: {
  title: string;
  values: { value: string; count: number }[];
  selected: string | undefined;
  param: "category" | "tag" | "author" | "solved";
  params: Params;
  label?: (value: string) => string;
}) {
  if (!values.length && !selected) return null;
  return (
    <section className="facet" aria-label={title}>
      <h2 className="h3">{title}</h2>
      <ul>
        {selected && !values.some((v) => v.value === selected) ? (
          <li>
            <Link to={href(params, { [param]: undefined })} aria-current="true">
              {label ? label(selected) : selected} <span className="count">×</span>
            </Link>
          </li>
        ) : null}
        {values.map((v) => {
          const active = selected === v.value;
          return (
            <li key={v.value}>
              <Link to={href(params, { [param]: active ? undefined : v.value })} aria-current={active ? "true" : undefined}>
                {label ? label(v.value) : v.value} <span className="count">{active ? "×" : v.count}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
