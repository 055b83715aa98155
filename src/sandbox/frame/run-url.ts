/**
 * The `run=<id>` a sandbox frame adds to the snippet's API URLs, and takes off the URLs the
 * snippet reads back. Self-contained on purpose: the sandbox serializes this function into the
 * run frame (`String(runUrls)`), so it must not refer to anything outside its own body.
 *
 * `base` is the API base (the frame's `<base href>`). A URL is the API's when it is http(s) or
 * ws(s) to the same host and port (default ports spelled out) and its path is under /api/.
 * `add` answers such a URL, made absolute, with `run=<id>` last in its query (query and hash
 * kept), or undefined for any other URL and for one that already names a run. `remove` takes
 * off exactly what `add` put on.
 */
export function runUrls(base: string, run: string): { add(url: string): string | undefined; remove(url: string): string } {
  const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'ws:': '80', 'https:': '443', 'wss:': '443' };
  function endpoint(url: URL): string | undefined {
    const port = DEFAULT_PORTS[url.protocol];
    return port === undefined ? undefined : `${url.hostname}:${url.port || port}`;
  }
  const api = endpoint(new URL(base));
  const added = new RegExp(`[?&]run=${run.replace(/[^A-Za-z0-9_-]/g, '')}(?=#|$)`);
  return {
    add(text: string): string | undefined {
      let url: URL;
      try {
        url = new URL(text, base);
      } catch {
        return undefined;
      }
      if (endpoint(url) !== api || !url.pathname.startsWith('/api/') || url.searchParams.has('run')) return undefined;
      url.search = `${url.search ? `${url.search}&` : '?'}run=${encodeURIComponent(run)}`;
      return url.href;
    },
    remove(text: string): string {
      return text.replace(added, '');
    },
  };
}
