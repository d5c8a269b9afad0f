import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

/** A page under the desk: the way back to the queue, its title and what it is for. */
export function DeskPageHeader({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/desk">Desk</Link>
      </nav>
      <header>
        <h1>{title}</h1>
        <p>{children}</p>
      </header>
    </>
  );
}
