import type { Session } from '../app.js';
import { h, saveBlob } from '../dom.js';

/** What the bundle route's last NDJSON line carries (gateway EvidenceBundleDto). */
interface BundleLine {
  bundle: { manifest: { files: unknown[] }; manifestJws: string; files: Record<string, string> };
}

/**
 * The engagement's evidence bundle for the firm (GET /v1/engagements/{id}/evidence-bundle with
 * `Accept: application/x-ndjson`): the gateway signs one evidence PDF per letter, which takes
 * minutes for a large engagement, so a progress bar follows its progress lines; the bundle is then
 * saved as one JSON file ({manifestJws, files}) that `econfirm verify <file>.json` and
 * POST /v1/evidence/verify check.
 */
export function evidenceBundleSection(session: Session, engagementId: string, onError: (err: unknown) => void): HTMLElement {
  const progress = h('progress', { id: 'bundle-progress', max: 1, value: 0, hidden: true });
  const status = h('span', { id: 'bundle-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', id: 'bundle-generate' }, '生成并下载证据包 Generate and download the evidence bundle');
  button.addEventListener('click', () => {
    button.disabled = true;
    progress.hidden = false;
    progress.removeAttribute('value'); // indeterminate until the letters are listed
    status.textContent = ' 正在列出函证 listing the letters…';
    const url = `/v1/engagements/${encodeURIComponent(engagementId)}/evidence-bundle`;
    void session.api
      .ndjson<BundleLine>(url, ({ done, total }) => {
        progress.max = total;
        progress.value = done;
        status.textContent = ` 已签名 signed ${done} / ${total}`;
      })
      .then(
        ({ bundle }) => {
          const fileName = `${engagementId}-evidence-bundle.json`;
          const blob = new Blob([JSON.stringify({ manifestJws: bundle.manifestJws, files: bundle.files })], { type: 'application/json' });
          saveBlob(blob, fileName);
          status.textContent = ` 已下载 downloaded ${fileName}: ${bundle.manifest.files.length} 份证据 letters, signed manifest`;
          button.disabled = false;
        },
        (err: unknown) => {
          progress.hidden = true;
          status.textContent = '';
          button.disabled = false;
          onError(err);
        },
      );
  });
  return h('section', { 'aria-labelledby': 'bundle-title', id: 'evidence-bundle' }, h('h3', { id: 'bundle-title' }, '证据包 Evidence bundle'), h('p', {}, button, ' ', progress, status));
}
