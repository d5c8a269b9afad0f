/** A tiny client that keeps cookies like a browser, for HTTP tests. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(public base: string) {}

  async request(method: string, path: string, opts: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    }
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, ...value] = pair!.split("=");
      const v = value.join("=");
      if (!v || /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0/i.test(c)) this.cookies.delete(name!);
      else this.cookies.set(name!, v);
    }
    return res;
  }

  get = (path: string, headers?: Record<string, string>) => this.request("GET", path, { headers });
  post = (path: string, json?: unknown, headers?: Record<string, string>) => this.request("POST", path, { json: json ?? {}, headers });
  hasCookie = (name: string) => this.cookies.has(name);
  /** The Cookie header this client sends, for requests made without it (raw bodies, node:http). */
  cookieHeader = () => [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}
