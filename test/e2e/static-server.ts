/**
 * A tiny static file server for a built site (dist/), bound to 127.0.0.1 on a free port. It serves
 * Framework's clean URLs ("/quadrature" → quadrature.html) and the MIME types browsers insist on
 * (application/wasm for WebAssembly.instantiateStreaming, text/javascript for modules).
 */
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";

export const mimeTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".bin": "application/octet-stream",
  ".gz": "application/gzip",
};

export interface StaticServer {
  /** e.g. "http://127.0.0.1:41234" (no trailing slash). */
  origin: string;
  /** Paths requested that were not found, in order; a test can assert this stays empty. */
  notFound: string[];
  close(): Promise<void>;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file a URL path maps to: exact file, then "<path>.html", then "<path>/index.html". */
async function findFile(root: string, urlPath: string): Promise<string | undefined> {
  const decoded = decodeURIComponent(urlPath);
  const base = normalize(join(root, decoded));
  if (base !== root && !base.startsWith(root + sep)) return undefined; // no escaping the root
  for (const candidate of [base, `${base}.html`, join(base, "index.html")]) {
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}

export async function serveStatic(directory: string): Promise<StaticServer> {
  const root = resolve(directory);
  const notFound: string[] = [];
  const server: Server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const file = await findFile(root, url.pathname);
      if (!file) {
        notFound.push(url.pathname);
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${url.pathname}`);
        return;
      }
      const body = await readFile(file);
      response
        .writeHead(200, {
          "content-type": mimeTypes[extname(file).toLowerCase()] ?? "application/octet-stream",
          "content-length": body.length,
          "cache-control": "no-store",
        })
        .end(request.method === "HEAD" ? undefined : body);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(String(error));
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("static server: no TCP address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    notFound,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolveClose()));
      }),
  };
}
