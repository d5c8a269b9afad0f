// URL shapes shared by server and browser code (not *.server.ts on purpose).
export const POSTS_PER_PAGE = 20;

/** The thread page a URL asks for (`?page=`), 1 when it names none or nonsense. */
export const threadPageNumber = (url: URL) => Math.max(1, Math.min(100_000, Number(url.searchParams.get("page")) || 1));

export const threadUrl = (t: { id: string; slug: string }) => `/t/${t.id}/${t.slug}`;

export const postUrl = (thread: { id: string; slug: string }, number: number) => {
  const page = Math.floor(number / POSTS_PER_PAGE) + 1;
  return `${threadUrl(thread)}${page > 1 ? `?page=${page}` : ""}#post-${number}`;
};
