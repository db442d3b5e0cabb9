import type * as EvidenceLibrary from '@econfirm/evidence';

/**
 * The evidence library (`@econfirm/evidence`), loaded on the first evidence request instead of at
 * start-up. Its index brings pdfkit, fontkit, pdf-lib, node-jose and qrcode: measured on Node 24,
 * about 16 MB of heap and 20 MB of RSS that a gateway which never renders or verifies evidence
 * would carry all its life (issue 18: the gateway's idle memory). The first request waits for
 * the load once (a few hundred ms); every later one gets the loaded module.
 */
export type Evidence = typeof EvidenceLibrary;

let loading: Promise<Evidence> | undefined;
let loaded: Evidence | undefined;

export function evidenceLibrary(): Promise<Evidence> {
  // import() of a CommonJS module: its `default` is the module's exports, whatever Node guesses of its names.
  loading ??= import('@econfirm/evidence').then((library) => (loaded = library.default));
  return loading;
}

/**
 * The library if it was loaded, else undefined: an error can only be one of its classes (say
 * EvidenceInputError) once it was, so a caller classifying an error need not load it for that.
 */
export function loadedEvidenceLibrary(): Evidence | undefined {
  return loaded;
}
