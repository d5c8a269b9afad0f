import { listCategories as endpointDef } from "~/api/endpoints/categories";
import { handle, on } from "~/api/endpoint.server";
import { listCategories } from "~/models/category.server";

export const loader = handle(on(endpointDef, async () => listCategories()));
