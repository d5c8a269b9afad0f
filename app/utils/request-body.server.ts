import { badRequest, unsupportedMediaType } from "./errors";

// The one place that decides whether a request body is a form or JSON, and what a
// body that is neither gets: the sender's mistake (400/415), never a crash and never
// an error in the log. Pages read forms with readForm() (form-action.server.ts), the
// API reads bodies in endpoint.server.ts; both come through here.

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);
const FORM_TYPE_NAMES = "application/x-www-form-urlencoded or multipart/form-data";

/** "multipart/form-data; boundary=…" → "multipart/form-data"; "" when there is no Content-Type. */
export const mediaType = (request: Request) => (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();

export const isFormType = (type: string) => FORM_TYPES.has(type);

export const isJsonType = (type: string) => type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);

/** The fields of a form post, or a 400/415 the sender can act on. */
export async function formBody(request: Request): Promise<FormData> {
  const type = mediaType(request);
  if (!type) {
    throw badRequest(`The request carries no form. Send the form's fields as ${FORM_TYPE_NAMES}, as the form on the page does.`);
  }
  if (!isFormType(type)) {
    throw unsupportedMediaType(
      `This address takes a web form (${FORM_TYPE_NAMES}), not ${type}. Submit the form on the page, or use the JSON API under /api/v1.`,
    );
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    // A multipart body without its boundary, cut short, or not multipart at all.
    throw badRequest(`The form could not be read: its body is not valid ${type}. Send it again from the page.`);
  }
  // No form here takes uploads: a file where text belongs would reach the models as "[object File]".
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string") throw badRequest(`Backline takes no file uploads: send "${name.slice(0, 40)}" as text.`);
  }
  return form;
}

/** An API request's body: JSON (also without a Content-Type) or a form; {} when empty. */
export async function apiBody(request: Request): Promise<unknown> {
  const type = mediaType(request);
  if (isFormType(type)) return Object.fromEntries((await formBody(request)).entries());
  if (type && !isJsonType(type)) {
    throw unsupportedMediaType(`The request body must be JSON (Content-Type: application/json), not ${type}.`);
  }
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}
