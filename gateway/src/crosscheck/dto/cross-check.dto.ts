import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CROSS_CHECK_CODES, CROSS_CHECK_EXCEPTIONS, NOT_COMPARED_CODE_LIST, NOT_COMPARED_CODES, NOT_EXPECTED_REASONS } from '@econfirm/common';

/** OpenAPI schemas of cross-check reports (common/src/crosscheck/cross-check.ts). */

const SHOWN = { type: 'object', additionalProperties: { type: 'string' } } as const;
const COUNTS = {
  type: 'object',
  additionalProperties: { type: 'integer', minimum: 1 },
  description: `exceptions by code (${CROSS_CHECK_CODES.join(', ')}); codes with none are absent`,
} as const;
const SOURCES = ['mortgage', 'receivable'];
const NOT_COMPARED_TEXT = NOT_COMPARED_CODE_LIST.map((c) => `${c}: ${NOT_COMPARED_CODES[c]}`).join('; ');
const CODE_TEXT = CROSS_CHECK_CODES.map((c) => `${c} (${CROSS_CHECK_EXCEPTIONS[c].kind}): ${CROSS_CHECK_EXCEPTIONS[c].when}`).join('; ');

export class ReplyPlaceDto {
  @ApiProperty({ description: 'section key of the letter form (bank letter: loans, guaranteesByClient, discountedBills; receivable/payable confirmation: balances, otherItems)' }) section: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'row of the stated section; null: an unlisted item the bank stated as a difference' }) row: number | null;
  @ApiProperty({ enum: ['letter', 'reply', 'difference'], description: "letter: the auditor's row as the bank agreed or corrected it (Form 1); reply: a row the bank filled (Form 2); difference: an unlisted item" }) origin: string;
}

export class CrossCheckExceptionDto {
  @ApiProperty({ enum: CROSS_CHECK_CODES, description: CODE_TEXT }) code: string;
  @ApiProperty({ enum: SOURCES, description: 'the kind of ledger record: a mortgage registration, or a receivable (bank letter: one the client holds under a bank’s lien; receivable/payable confirmation: one between the client and the responder)' }) source: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ description: 'the ledger record concerned' }) recordId?: string;
  @ApiPropertyOptional({ type: ReplyPlaceDto }) place?: ReplyPlaceDto;
  @ApiPropertyOptional({ ...SHOWN, description: 'the ledger side as the firm may read it' }) ledger?: Record<string, string>;
  @ApiPropertyOptional({ ...SHOWN, description: "the reply side: section, row and the row's cells" }) reply?: Record<string, string>;
  @ApiPropertyOptional({ description: 'engagement report: the letter the exception belongs to' }) confirmationId?: string;
}

export class CrossCheckRecordDto {
  @ApiProperty({ enum: SOURCES }) source: string;
  @ApiProperty() id: string;
  @ApiProperty() state: string;
  @ApiProperty({ description: "the mortgagee bank; a receivable's lien bank ('' when none ever held one)" }) bankId: string;
  @ApiProperty({ description: 'whether the responder had to state it (bank letter: it encumbered at the as-of date, or carried its lien then, with this bank; receivable/payable confirmation: it was outstanding between the two at the as-of date)' }) expected: boolean;
  @ApiPropertyOptional({ enum: NOT_EXPECTED_REASONS }) notExpected?: string;
  @ApiPropertyOptional({ enum: ['certificate-number', 'unit-number', 'record-id', 'debt-term', 'financing-id', 'invoice-number'] }) matchedBy?: string;
  @ApiPropertyOptional({ type: ReplyPlaceDto }) place?: ReplyPlaceDto;
  @ApiProperty({ description: "whether the firm could open the record's sealed amount" }) amountReadable: boolean;
  @ApiProperty({ ...SHOWN }) shown: Record<string, string>;
}

export class NotComparedDto {
  @ApiProperty() what: string;
  @ApiProperty() reason: string;
  @ApiPropertyOptional({ enum: NOT_COMPARED_CODE_LIST, description: NOT_COMPARED_TEXT }) code?: string;
  @ApiPropertyOptional({ description: 'the ledger record concerned' }) recordId?: string;
}

export class CrossCheckBasisDto {
  @ApiProperty({ description: 'channel height when the records were read (the check saw blocks 0..height-1)' }) ledgerHeight: string;
  @ApiProperty({ type: [String], description: 'transactions of the reply and its acceptance (ApproveReply, AuditorAccept)' }) replyTxIds: string[];
  @ApiProperty({ description: "the reply's salted content hash on the ledger" }) replyContentHash: string;
  @ApiProperty({ description: 'institution/identity that read the records under the client’s grant' }) readAs: string;
}

export class RecordedDto {
  @ApiProperty({ description: 'the RecordCrossCheck transaction' }) txId: string;
  @ApiProperty() recordedAt: string;
  @ApiPropertyOptional({ description: 'its block (in the answer of the POST that recorded it)' }) blockNumber?: string;
}

export class CrossCheckReportDto {
  @ApiProperty() confirmationId: string;
  @ApiProperty() engagementId: string;
  @ApiProperty() clientId: string;
  @ApiProperty() responderId: string;
  @ApiProperty() asOfDate: string;
  @ApiProperty() checkedAt: string;
  @ApiProperty({ type: [String], description: 'reply sections compared' }) comparedSections: string[];
  @ApiProperty({ type: [NotComparedDto] }) notCompared: NotComparedDto[];
  @ApiProperty({ type: [CrossCheckRecordDto], description: 'every ledger record considered: the client’s registrations and receivables (bank letter), or the receivables between client and responder (receivable/payable confirmation)' }) records: CrossCheckRecordDto[];
  @ApiProperty({ type: [CrossCheckExceptionDto] }) exceptions: CrossCheckExceptionDto[];
  @ApiProperty(COUNTS) counts: Record<string, number>;
  @ApiProperty({ type: CrossCheckBasisDto }) basis: CrossCheckBasisDto;
  @ApiPropertyOptional({ type: RecordedDto, description: 'the summary transaction (counts only, sealed to firm and regulator)' }) recorded?: RecordedDto;
}

export class EngagementLetterCheckDto {
  @ApiProperty() confirmationId: string;
  @ApiProperty() responderId: string;
  @ApiProperty() state: string;
  @ApiProperty() checked: boolean;
  @ApiPropertyOptional({ description: 'why it was not checked' }) reason?: string;
  @ApiPropertyOptional(COUNTS) counts?: Record<string, number>;
}

export class EngagementBasisDto {
  @ApiProperty() ledgerHeight: string;
  @ApiProperty() readAs: string;
}

export class EngagementCrossCheckDto {
  @ApiProperty() engagementId: string;
  @ApiProperty() clientId: string;
  @ApiProperty() asOfDate: string;
  @ApiProperty() checkedAt: string;
  @ApiProperty({ type: [EngagementLetterCheckDto], description: 'each bank letter of the engagement: checked, or why not' }) letters: EngagementLetterCheckDto[];
  @ApiProperty({ type: [CrossCheckExceptionDto] }) exceptions: CrossCheckExceptionDto[];
  @ApiProperty(COUNTS) counts: Record<string, number>;
  @ApiProperty({ type: EngagementBasisDto }) basis: EngagementBasisDto;
}

export class BankCrossCheckCountsDto {
  @ApiProperty({ description: 'the replying bank' }) bankId: string;
  @ApiProperty({ description: 'requests of this bank with a recorded cross-check' }) checks: number;
  @ApiProperty({ description: 'of which with at least one exception' }) withExceptions: number;
  @ApiProperty(COUNTS) counts: Record<string, number>;
}

export class CounterpartyCrossCheckCountsDto {
  @ApiProperty({ description: "the replying customer or supplier (a receivable/payable confirmation's responder)" }) responderId: string;
  @ApiProperty({ description: 'requests of this responder with a recorded cross-check' }) checks: number;
  @ApiProperty({ description: 'of which with at least one exception' }) withExceptions: number;
  @ApiProperty(COUNTS) counts: Record<string, number>;
}

export class CrossCheckStatisticsDto {
  @ApiProperty() asOf: string;
  @ApiProperty({ description: 'recorded cross-checks (the latest per request)' }) checks: number;
  @ApiProperty({ description: "summaries the regulator's key could not open" }) unreadable: number;
  @ApiProperty(COUNTS) counts: Record<string, number>;
  @ApiProperty({ type: [BankCrossCheckCountsDto], description: 'bank letters: by replying bank (or branch)' }) byBank: BankCrossCheckCountsDto[];
  @ApiProperty({ type: [CounterpartyCrossCheckCountsDto], description: 'receivable/payable confirmations: by replying customer or supplier' }) byCounterparty: CounterpartyCrossCheckCountsDto[];
}
