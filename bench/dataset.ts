// What `npm run seed:large` creates and `npm run bench` relies on.
export const BENCH = {
  dataDir: ".data-bench",
  password: "bench password 42",
  moderator: "bench_mod",
  // bench_mod, bench_mod_1 … bench_mod_39
  moderators: 40,
  member: "bench_member",
  // Page 1 of this thread (50 posts) is the thread page the benchmark measures.
  threadId: "bench50",
  threadPosts: 50,
} as const;
