import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { portalBuilt, readPortalFile, resolvePortalFile } from './portal-files';

describe('portal files', function () {
  let dir: string;

  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'portal-files-'));
    mkdirSync(path.join(dir, 'static'));
    mkdirSync(path.join(dir, 'dist', 'views'), { recursive: true });
    writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'static', 'portal.css'), 'body{}');
    writeFileSync(path.join(dir, 'dist', 'main.js'), 'export {};');
    writeFileSync(path.join(dir, 'dist', 'main.d.ts'), 'export {};');
    writeFileSync(path.join(dir, 'dist', 'views', 'list.js'), 'export {};');
    writeFileSync(path.join(dir, 'secret.json'), '{}');
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page, its CSS and the compiled modules (js/ → dist/) with their content types', function () {
    expect(readPortalFile(dir, '')?.contentType).to.equal('text/html; charset=utf-8');
    expect(readPortalFile(dir, 'portal.css')?.body.toString()).to.equal('body{}');
    expect(readPortalFile(dir, 'js/main.js')?.contentType).to.equal('text/javascript; charset=utf-8');
    expect(readPortalFile(dir, 'js/views/list.js')?.body.toString()).to.equal('export {};');
    expect(portalBuilt(dir)).to.equal(true);
  });

  it('refuses traversal, encoded slashes, dotfiles, declarations and unknown extensions', function () {
    for (const bad of ['../secret.json', 'js/../../secret.json', '..%2fsecret.json', 'js/%2e%2e/main.js', '.env', 'js/main.d.ts', 'js/main.ts', 'js', 'js/', 'a//b.css', '%E0%A4%A']) {
      expect(readPortalFile(dir, bad), bad).to.equal(undefined);
    }
    expect(resolvePortalFile(dir, 'index.html')).to.equal(path.join(dir, 'static', 'index.html'));
  });

  it('a folder without the built page is not a built portal', function () {
    expect(portalBuilt(path.join(dir, 'static'))).to.equal(false);
  });
});
