/**
 * The signed-in credential, kept in this browser's IndexedDB: its id, audience, role and the
 * private key as a NON-extractable CryptoKey (structured-cloned, so the key material itself is
 * never readable by script, and never leaves the browser). Sign-out deletes the record.
 */
export interface StoredCredential {
  credentialId: string;
  audience: string;
  /** As the credential file states it (a hint for the UI; the gateway decides from the certificate). */
  role: string;
  key: CryptoKey;
}

export const DB_NAME = 'econfirm-portal';
export const STORE = 'credentials';
/** One credential per browser profile at a time: signing in replaces it. */
export const CURRENT = 'current';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function open(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
  };
  return request(req);
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await request(work(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  } finally {
    db.close();
  }
}

function isStoredCredential(value: unknown): value is StoredCredential {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.credentialId === 'string' && typeof v.audience === 'string' && typeof v.role === 'string' && v.key instanceof CryptoKey;
}

export async function loadCredential(): Promise<StoredCredential | undefined> {
  const value: unknown = await withStore('readonly', (store) => store.get(CURRENT));
  return isStoredCredential(value) ? value : undefined;
}

export async function saveCredential(credential: StoredCredential): Promise<void> {
  await withStore('readwrite', (store) => store.put(credential, CURRENT));
}

export async function deleteCredential(): Promise<void> {
  await withStore('readwrite', (store) => store.delete(CURRENT));
}
