// autocannon ships no types; these cover the small part of its API the benchmark uses.
declare module "autocannon" {
  type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  type Options = {
    url: string;
    connections: number;
    duration: number;
    pipelining: number;
    timeout: number;
    requests: (Request & { setupRequest?: (req: Request) => Request })[];
  };
  type Result = { errors: number; timeouts: number; non2xx: number };
  type Instance = PromiseLike<Result> & {
    on(event: "response", listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  };
  function autocannon(options: Options): Instance;
  export default autocannon;
}
