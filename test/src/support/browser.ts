import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/** Debian's Chromium (scripts/lib/system-packages.sh installs it); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.ECONFIRM_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A port nobody listens on right now (the gateway's publicUrl must name its port before it listens). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
