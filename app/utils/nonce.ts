import { createContext, useContext } from "react";

// The Content-Security-Policy nonce of the response being rendered
// (app/server/security-headers.ts). Only the server knows it: in the browser
// this is undefined, and the scripts it guarded have already run.
export const NonceContext = createContext<string | undefined>(undefined);

export const useNonce = () => useContext(NonceContext);
