import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  url: string;
  range?: string;
}

export interface LocalServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on a free 127.0.0.1 port that records each request and answers via `handle`. */
export async function startLocalServer(
  handle: (req: IncomingMessage, res: ServerResponse, index: number) => void,
): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range });
    handle(req, res, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('server has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `content` with Range support; `firstResponse` may replace the answer to request 0. */
export function rangeFileHandler(
  content: Buffer,
  firstResponse?: (res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse, index: number) => void {
  return (req, res, index) => {
    if (index === 0 && firstResponse) return firstResponse(res);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, {
      'content-type': 'video/mp4',
      'content-length': String(content.length - start),
      ...(m && { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` }),
    });
    res.end(content.subarray(start));
  };
}
