import { CROSS_CHECK_EXCEPTIONS, type CrossCheckException, type CrossCheckReport, type EngagementCrossCheck } from '@econfirm/common';
import { crossCheckConfirmation, crossCheckEngagement, findIdentity, InstitutionKeyStore, type LedgerSession, type NetworkDescriptor } from '@econfirm/sdk';
import * as path from 'node:path';

/**
 * `econfirm cross-check …`: an accepted bank reply against the client's mortgage registrations and
 * the receivables it holds under a bank's lien, or a customer's or supplier's reply against the
 * receivables between the two, run here as the firm would
 * (clients/sdk/src/cross-check.ts): the reply opened with the firm's own keys, the records read
 * under the client's grants. Prints the exceptions with both sides.
 */
export const CROSS_CHECK_USAGE = `  cross-check <confirmationId> [--json]
                               an accepted bank reply against the client's mortgage registrations
                               and its financed receivables, or a receivable/payable confirmation
                               against the receivables between the two (an auditor of the firm, with the
                               client's grants; the firm's keys from <network>/institution-keys);
                               exit 1 when there are exceptions
  cross-check engagement <engagementId> [--json]
                               every bank letter of the engagement, and registrations and liens
                               with banks no accepted reply came from`;

export class CrossCheckUsageError extends Error {}

function sides(e: CrossCheckException): string[] {
  const show = (label: string, side?: Record<string, string>) => (side ? [`      ${label}: ${Object.entries(side).map(([k, v]) => `${k}=${v}`).join(', ')}`] : []);
  return [...show('ledger', e.ledger), ...show('reply ', e.reply)];
}

function exceptionLines(exceptions: ReadonlyArray<CrossCheckException & { confirmationId?: string }>): string[] {
  if (exceptions.length === 0) return ['no exceptions'];
  return exceptions.flatMap((e) => [
    `  ${e.code.padEnd(32)} ${(e.recordId ?? '-').padEnd(28)} ${e.confirmationId ? `${e.confirmationId}  ` : ''}${e.message}`,
    ...sides(e),
  ]);
}

/** The report as text: what was compared and against what, then each exception with both sides. */
export function formatReport(report: CrossCheckReport): string {
  const lines = [
    `cross-check of ${report.confirmationId} (engagement ${report.engagementId}, client ${report.clientId}, responder ${report.responderId}, as of ${report.asOfDate})`,
    `checked ${report.checkedAt} as ${report.basis.readAs} at ledger height ${report.basis.ledgerHeight}; reply transactions ${report.basis.replyTxIds.join(', ')}`,
    `compared: ${report.comparedSections.join(', ') || 'nothing'}`,
    ...report.notCompared.map((n) => `not compared: ${n.code ? `${n.code} ` : ''}${n.what} — ${n.reason}`),
    'records considered:',
    ...report.records.map((r) => `  ${r.source.padEnd(10)} ${r.id.padEnd(28)} ${r.state.padEnd(20)} ${(r.bankId || '-').padEnd(12)} ${r.expected ? `expected${r.matchedBy ? `, named by ${r.matchedBy}` : ''}` : `not expected (${r.notExpected})`}`),
    `exceptions (${report.exceptions.length}):`,
    ...exceptionLines(report.exceptions),
  ];
  if (report.recorded) lines.push(`summary recorded in transaction ${report.recorded.txId} at ${report.recorded.recordedAt}`);
  return lines.join('\n');
}

export function formatEngagement(report: EngagementCrossCheck): string {
  return [
    `cross-check of engagement ${report.engagementId} (client ${report.clientId}, as of ${report.asOfDate}) at ledger height ${report.basis.ledgerHeight}`,
    'bank letters:',
    ...report.letters.map((l) => `  ${l.confirmationId.padEnd(28)} ${l.responderId.padEnd(12)} ${l.state.padEnd(22)} ${l.checked ? `checked, ${Object.values(l.counts ?? {}).reduce((a, b) => a + b, 0)} exception(s)` : `not checked: ${l.reason}`}`),
    `exceptions (${report.exceptions.length}):`,
    ...exceptionLines(report.exceptions),
    ...Object.entries(report.counts).map(([code, n]) => `  ${n} × ${code}: ${CROSS_CHECK_EXCEPTIONS[code as keyof typeof CROSS_CHECK_EXCEPTIONS].when}`),
  ].join('\n');
}

/** Runs the command; returns the exit code (1 when the check found exceptions). */
export async function crossCheckCommand(
  ledger: LedgerSession,
  args: readonly string[],
  context: { descriptor: NetworkDescriptor; networkDir: string; orgKey: string; identityName: string },
): Promise<number> {
  const json = args.includes('--json');
  const words = args.filter((a) => a !== '--json');
  const identity = findIdentity(context.descriptor, context.orgKey, context.identityName);
  if (!identity.institution) throw new CrossCheckUsageError(`${context.orgKey}/${context.identityName} acts for no institution: run as an auditor of the firm (--as firm1/auditor1)`);
  const keys = new InstitutionKeyStore(path.join(context.networkDir, 'institution-keys')).load(identity.institution);
  const readAs = `${identity.institution}/${context.identityName}`;
  let report: CrossCheckReport | EngagementCrossCheck;
  if (words[0] === 'engagement' && words[1] && words.length === 2) report = await crossCheckEngagement(ledger, words[1], keys, readAs);
  else if (words[0] && words[0] !== 'engagement' && words.length === 1) report = await crossCheckConfirmation(ledger, words[0], keys, readAs);
  else throw new CrossCheckUsageError(`unknown command 'cross-check ${args.join(' ')}'`);
  console.log(json ? JSON.stringify(report, null, 2) : 'confirmationId' in report ? formatReport(report) : formatEngagement(report));
  return report.exceptions.length > 0 ? 1 : 0;
}
