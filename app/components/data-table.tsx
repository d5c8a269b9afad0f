import type { ReactNode } from "react";
import { TableScroll } from "~/components/table-scroll";

export type Column<Row> = {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** The column that names the row (`<th scope="row">`), for screen readers reading across. */
  rowHeader?: boolean;
  cellClass?: (row: Row) => string | undefined;
  /** Amounts and counts: right-aligned, in figures of one width. */
  numeric?: boolean;
};

const classes = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(" ") || undefined;

/**
 * Every tabular page (money trail, refunds, ledgers, audit log, desk numbers, jobs) renders through this one table,
 * so they share markup, styling and the scroll region that keeps a phone screen from widening.
 */
export function DataTable<Row>({
  rows,
  rowKey,
  columns,
  caption,
  captionHidden = false,
  label,
  empty,
  className,
}: {
  rows: readonly Row[];
  rowKey: (row: Row) => string | number;
  columns: readonly Column<Row>[];
  caption?: ReactNode;
  captionHidden?: boolean;
  /** Names the scrolling region for screen readers; the caption when it is text. */
  label?: string;
  /** Shown as a single row when there are no rows; without it an empty table has no body rows. */
  empty?: ReactNode;
  className?: string;
}) {
  return (
    <TableScroll label={label ?? (typeof caption === "string" ? caption : "Table")}>
      <table className={className ? `data-table ${className}` : "data-table"}>
        {caption ? <caption className={captionHidden ? "visually-hidden" : undefined}>{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.numeric ? "num" : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && empty ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : null}
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c, i) =>
                c.rowHeader ? (
                  <th key={i} scope="row" className={classes(c.numeric && "num", c.cellClass?.(row))}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={i} className={classes(c.numeric && "num", c.cellClass?.(row))}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
