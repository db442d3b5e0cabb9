import { ApiClient } from '../api-client.js';
import { h, show } from '../dom.js';
import { importCredentialFile } from '../credential-file.js';
import { saveCredential } from '../key-store.js';
import type { Principal } from '../types.js';

/**
 * Sign-in with an API credential file: the key is imported into this browser (non-extractable),
 * checked by asking the gateway who it is (GET /v1/me, a token signed here), and only then kept.
 */
export function renderSignIn(main: HTMLElement, onSignedIn: () => void, onError: (err: unknown) => void): void {
  const input = h('input', { id: 'credential-file', name: 'credential', type: 'file', accept: '.json,application/json', required: true });
  const submit = h('button', { type: 'submit' }, '登录 Sign in');
  const form = h(
    'form',
    { id: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h2', { id: 'sign-in-title' }, '登录 Sign in'),
    h('p', {}, '选择您的 API 凭证文件。私钥仅保存在本浏览器中（不可导出），不会发送给任何人。', h('br'), 'Choose your API credential file. Its private key stays in this browser (non-extractable) and is never sent anywhere.'),
    h('label', { for: 'credential-file' }, '凭证文件 Credential file (JSON)'),
    input,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) return;
    submit.disabled = true;
    void (async () => {
      try {
        const credential = await importCredentialFile(file);
        await new ApiClient(credential).get<Principal>('/v1/me');
        await saveCredential(credential);
        onSignedIn();
      } catch (err) {
        onError(err);
      } finally {
        input.value = '';
        submit.disabled = false;
      }
    })();
  });
  show(main, form);
}
