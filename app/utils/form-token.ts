// The hidden field that carries a form's one-time token (app/utils/form-once.server.ts).
export const FORM_TOKEN_FIELD = "formToken";
