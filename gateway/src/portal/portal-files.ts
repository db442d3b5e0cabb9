import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The portal's security headers: no inline script or style, no framing, no plugins, no base tag tricks. */
export const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Small files, rebuilt in place: always revalidate, so a new build is picked up at once.
  'Cache-Control': 'no-cache',
};

/** What the portal serves, by extension; anything else (.ts, .d.ts, .tsbuildinfo, dotfiles) is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export interface PortalFile {
  body: Buffer;
  contentType: string;
}

/**
 * Maps a URL path below /portal/ to a file of the portal package: `js/<path>` → `dist/<path>` (the
 * compiled modules), anything else → `static/<path>`, '' → `static/index.html`. Only plain
 * segments (no '..', no dotfiles, no encoded slashes) and known extensions: undefined otherwise.
 */
export function resolvePortalFile(dir: string, urlPath: string): string | undefined {
  let segments: string[];
  try {
    segments = urlPath === '' ? ['index.html'] : urlPath.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (segments.some((s) => !SEGMENT.test(s))) return undefined;
  if (segments[0] === 'js') {
    // The compiled folder also holds declarations (.d.ts → '.ts' extension): those are not served.
    if (segments.length < 2) return undefined;
    segments = ['dist', ...segments.slice(1)];
  } else {
    segments = ['static', ...segments];
  }
  const file = path.join(dir, ...segments);
  if (!CONTENT_TYPES[path.extname(file)]) return undefined;
  return file;
}

/** Reads a portal file, or undefined when there is none. */
export function readPortalFile(dir: string, urlPath: string): PortalFile | undefined {
  const file = resolvePortalFile(dir, urlPath);
  if (!file || !existsSync(file) || !statSync(file).isFile()) return undefined;
  return { body: readFileSync(file), contentType: CONTENT_TYPES[path.extname(file)] };
}

/** Whether `dir` holds a built portal (its page and its entry module). */
export function portalBuilt(dir: string): boolean {
  return existsSync(path.join(dir, 'static', 'index.html')) && existsSync(path.join(dir, 'dist', 'main.js'));
}
