import type { Session } from '../app.js';
import { h, saveBlob } from '../dom.js';

/** A signed PDF the gateway issues for a record (the registration certificate, the receivable voucher). */
export interface SignedPdf {
  /** The route, e.g. `/v1/mortgages/{id}/certificate.pdf`. */
  route: string;
  fileName: string;
  label: string;
  /** Ids of the button and of its status line (the tests and assistive technology find them by these). */
  buttonId: string;
  statusId: string;
}

/**
 * A button that fetches the PDF with the session's token — a plain link cannot carry it — and
 * hands the bytes to a download link; the status line says what was saved, a refusal goes to
 * `onError` with the API's code.
 */
export function signedPdfButton(session: Session, pdf: SignedPdf, onError: (err: unknown) => void): HTMLElement {
  const status = h('span', { id: pdf.statusId, 'aria-live': 'polite' });
  const button = h('button', { type: 'button', id: pdf.buttonId }, pdf.label);
  button.addEventListener('click', () => {
    button.disabled = true;
    void session.api.blob(pdf.route).then((blob) => {
      saveBlob(blob, pdf.fileName);
      status.textContent = ` 已下载 downloaded ${pdf.fileName} (${blob.size} bytes)`;
      button.disabled = false;
    }, (err: unknown) => {
      button.disabled = false;
      onError(err);
    });
  });
  return h('p', {}, button, status);
}
