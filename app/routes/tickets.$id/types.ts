import type { useLoaderData } from "@remix-run/react";
import type { FormFailure } from "~/utils/form-action.server";
import type { loader } from "./route";

// What the ticket page's pieces receive from its loader and its action.
type PageData = ReturnType<typeof useLoaderData<typeof loader>>;
export type Ticket = PageData["ticket"];
export type Macros = PageData["macros"];
export type Publish = PageData["publish"];
export type Result = FormFailure | { ok: true; intent: string } | undefined;
