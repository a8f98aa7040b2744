import type { Server, ServerResponse } from 'node:http';

/**
 * Prepares `server` for a graceful stop and returns the function that stops it. Node's
 * `server.close()` waits for every connection to end, but a keep-alive connection that is busy
 * when the stop begins (a load balancer's) would go on serving: each response from then on says
 * `Connection: close`, so the connection ends with it. Whatever is still open after
 * `timeoutMs` is cut.
 */
export function prepareGracefulClose(server: Server): (timeoutMs: number) => Promise<void> {
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    if (closing) response.setHeader('Connection', 'close');
    inFlight.add(response);
    response.on('close', () => inFlight.delete(response));
  });
  return (timeoutMs) => {
    closing = true;
    for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
    return new Promise<void>((resolve) => {
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
    });
  };
}
