// URL shapes shared by server and browser code (not *.server.ts on purpose).
export const POSTS_PER_PAGE = 20;

export const threadUrl = (t: { id: string; slug: string }) => `/t/${t.id}/${t.slug}`;

export const postUrl = (thread: { id: string; slug: string }, number: number) => {
  const page = Math.floor(number / POSTS_PER_PAGE) + 1;
  return `${threadUrl(thread)}${page > 1 ? `?page=${page}` : ""}#post-${number}`;
};
