import { useEffect, useState } from "react";

/** False in the server render and until React has hydrated: controls that need JavaScript appear only then. */
export function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
