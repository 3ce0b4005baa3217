import { createServer } from 'node:net';

/*
 * Ports for the servers a test or bench starts, chosen before they start.
 *
 * Not from the OS's ephemeral range (32768–60999 on Linux): every outgoing connection takes a
 * port from there, and a dev server opens dozens of them while it starts, so a port the OS
 * handed out as free a moment ago could be someone's local port by the time our server binds
 * it (CI saw EADDRINUSE that way). Below 32768 only listeners compete, and this process never
 * hands out the same port twice.
 */
const LOWEST = 20_000;
const HIGHEST = 32_000; // also keeps the cluster's ports in PostgreSQL's smallint
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports that were all free a moment ago and that this process
 * has not handed out before (the cluster's Temporal server takes nine in a row). Tries random
 * bases; gives up after 50 tries.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((port) => handedOut.has(port))) continue;
    // Claimed before the first await, so calls running side by side never pick the same port.
    for (const port of ports) handedOut.add(port);
    let free = true;
    for (const port of ports) if (free) free = await canListen(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found between ${LOWEST} and ${HIGHEST}`);
}

/** One TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range. */
export function freePort(): Promise<number> {
  return freePortRange(1);
}
