import { evidenceSignerFromNetwork, generateEngagementBundle, writeBundleDirectory } from '@econfirm/evidence';
import { findIdentity, InstitutionKeyStore, type LedgerSession, type NetworkDescriptor } from '@econfirm/sdk';
import * as path from 'node:path';

export const EVIDENCE_BUNDLE_USAGE = `  evidence bundle <engagementId> <dir>
                               one signed evidence PDF per letter of the engagement and the signed
                               manifest, written to <dir> (an auditor of the firm: its keys from
                               <network>/institution-keys, its evidence certificate from
                               <network>/evidence); a progress bar on stderr`;

export class EvidenceBundleUsageError extends Error {}

/** `[########------------]  12/300 letters`: a terminal redraws it in place; a log gets one line per tenth. */
export function progressLine(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total} letters`;
}

function progressPrinter(stream: NodeJS.WriteStream): (p: { done: number; total: number }) => void {
  let lastTenth = -1;
  return ({ done, total }) => {
    if (stream.isTTY) {
      stream.write(`\r${progressLine(done, total)}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth;
      stream.write(`${progressLine(done, total)}\n`);
    }
  };
}

/** Generates the engagement's bundle as the identity's firm and writes it to a folder (`econfirm verify <dir>` checks it). */
export async function evidenceBundleCommand(
  ledger: LedgerSession,
  args: readonly string[],
  context: { descriptor: NetworkDescriptor; networkDir: string; orgKey: string; identityName: string },
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  const [engagementId, dir, ...rest] = args;
  if (!engagementId || !dir || rest.length > 0) throw new EvidenceBundleUsageError(`usage:\n${EVIDENCE_BUNDLE_USAGE}`);
  const identity = findIdentity(context.descriptor, context.orgKey, context.identityName);
  if (!identity.institution) throw new EvidenceBundleUsageError(`${context.orgKey}/${context.identityName} acts for no institution: run as an auditor of the firm (--as firm1/auditor1)`);
  const keys = new InstitutionKeyStore(path.join(context.networkDir, 'institution-keys')).load(identity.institution);
  const signer = evidenceSignerFromNetwork(context.networkDir, context.orgKey, identity.institution);
  const started = performance.now();
  const bundle = await generateEngagementBundle({ ledger, engagementId, keys, signer, onProgress: progressPrinter(stderr) });
  writeBundleDirectory(bundle, dir);
  return `${bundle.files.size} evidence PDFs of engagement ${engagementId} and manifest.jws in ${dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`;
}
