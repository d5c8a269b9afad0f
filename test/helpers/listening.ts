// The address the started app prints once it listens ("running at … (listening on host:port; …"),
// as a URL clients can use. Shared by the test server and `npm run screenshots`; free of Vitest.
export function listeningUrl(output: string): string | null {
  const m = output.match(/running at \S+ \(listening on (\S+):(\d+);/);
  if (!m) return null;
  // The address it listens on, not its public origin (PUBLIC_URL may name another host).
  const host = m[1] === "0.0.0.0" || m[1] === "localhost" ? "127.0.0.1" : m[1]!.includes(":") ? `[${m[1]}]` : m[1]!;
  return `http://${host}:${m[2]}`;
}
