import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ALTERNATIVE_PROCEDURE_CODES,
  AlternativeTrigger,
  CONFIRMATION_KINDS,
  CONFIRMATION_STATES,
  FEE_PAYERS,
  REPLY_CONCLUSIONS,
  RETURN_REASONS,
} from '@econfirm/common';

/** OpenAPI schemas of confirmation requests as the routes answer them (common/src/domain/confirmation.ts). */

export class ActDto {
  @ApiProperty({ description: 'certificate identity of the actor' }) by: string;
  @ApiProperty({ description: 'transaction time' }) at: string;
}

export class AuthorizationActDto extends ActDto {
  @ApiProperty() feeConsent: boolean;
  @ApiPropertyOptional({ description: "sha256 hex of the client's JWS over the letter's contentHash" }) signatureHash?: string;
}

export class ReasonActDto extends ActDto {
  @ApiProperty() reason: string;
}

export class ReturnActDto extends ActDto {
  @ApiProperty({ enum: RETURN_REASONS }) reasonCode: string;
  @ApiPropertyOptional() note?: string;
}

export class AlternativeProcedureActDto extends ActDto {
  @ApiProperty({ enum: ALTERNATIVE_PROCEDURE_CODES }) procedure: string;
  @ApiProperty({ description: 'salted sha256 hex of the working paper' }) workpaperHash: string;
  @ApiProperty({ enum: Object.values(AlternativeTrigger) }) trigger: string;
}

/** Content as the ledger holds it: ciphertext and a salted hash only. */
export class EncryptedContentDto {
  @ApiProperty({ description: 'JWE (General JSON) as on the ledger' }) ciphertext: string;
  @ApiProperty({ description: 'salted sha256 hex of the plaintext' }) contentHash: string;
}

export class ReplyRecordDto extends EncryptedContentDto {
  @ApiProperty({ enum: REPLY_CONCLUSIONS }) conclusion: string;
  @ApiProperty({ description: "sha256 hex of the responder's JWS" }) signatureHash: string;
  @ApiProperty() signingKid: string;
  @ApiProperty() preparedBy: string;
  @ApiProperty() preparedAt: string;
  @ApiPropertyOptional() approvedBy?: string;
  @ApiPropertyOptional() approvedAt?: string;
}

/** Opened at the edge for the caller's tenant. */
export class SealedContentDto extends EncryptedContentDto {
  // Any JSON value: a letter or a reply is an object, a payment batch's opened lines an array (the fuzz suite's ST108).
  @ApiPropertyOptional({
    oneOf: [{ type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
    description: "decrypted by the gateway when addressed to the caller's institution: an object (letters, replies, terms, summaries) or an array (a payment batch's lines)",
  })
  content?: unknown;
  @ApiProperty({ enum: ['decrypted', 'not-addressed', 'no-key', 'failed'], description: 'whether the gateway could open it for this tenant' })
  readable: string;
  @ApiPropertyOptional({ description: 'the compact JWS carried inside the JWE, when there is one' }) signature?: string;
}

export class ReplyDto extends SealedContentDto {
  @ApiProperty({ enum: REPLY_CONCLUSIONS }) conclusion: string;
  @ApiProperty() signatureHash: string;
  @ApiProperty() signingKid: string;
  @ApiProperty() preparedBy: string;
  @ApiProperty() preparedAt: string;
  @ApiPropertyOptional() approvedBy?: string;
  @ApiPropertyOptional() approvedAt?: string;
  @ApiPropertyOptional({ description: "the responder's compact JWS (inside the JWE)" }) declare signature?: string;
  @ApiPropertyOptional({ description: "the JWS verifies with the responder's registry key and signs this reply's hash" }) signatureValid?: boolean;
}

/** A confirmation request as a version on the ledger (history): no derived fields, content sealed. */
export class ConfirmationRequestDto {
  @ApiProperty({ enum: ['confirmation'] }) docType: string;
  @ApiProperty() id: string;
  @ApiProperty({ enum: CONFIRMATION_KINDS }) kind: string;
  @ApiProperty() formId: string;
  @ApiProperty() firmId: string;
  @ApiProperty() engagementId: string;
  @ApiProperty() clientId: string;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty() asOfDate: string;
  @ApiProperty({ description: 'the registry institution named on the letter' }) addresseeId: string;
  @ApiProperty({ description: 'who answers: the addressee, or the bank of an addressed branch' }) responderId: string;
  @ApiProperty({ enum: FEE_PAYERS }) feePayer: string;
  @ApiProperty({ enum: CONFIRMATION_STATES }) state: string;
  @ApiProperty({ type: EncryptedContentDto }) letter: EncryptedContentDto;
  @ApiProperty({ type: ActDto }) issued: ActDto;
  @ApiProperty() authorizationDueAt: string;
  @ApiPropertyOptional({ type: AuthorizationActDto }) authorization?: AuthorizationActDto;
  @ApiPropertyOptional({ type: ReasonActDto }) refusal?: ReasonActDto;
  @ApiPropertyOptional({ description: 'set at authorization: from then on the responder sees the request' }) sentAt?: string;
  @ApiPropertyOptional() replyDueAt?: string;
  @ApiPropertyOptional({ type: ActDto }) acceptance?: ActDto;
  @ApiPropertyOptional({ type: ReturnActDto }) return?: ReturnActDto;
  @ApiPropertyOptional({ type: ReplyRecordDto }) reply?: ReplyRecordDto;
  @ApiPropertyOptional({ type: ReasonActDto }) lastReplyRejection?: ReasonActDto;
  @ApiPropertyOptional({ type: ActDto }) auditorAcceptance?: ActDto;
  @ApiPropertyOptional({ type: ReasonActDto }) recall?: ReasonActDto;
  @ApiPropertyOptional() followUpOf?: string;
  @ApiPropertyOptional() followUpId?: string;
  @ApiProperty() attempt: number;
  @ApiPropertyOptional({ type: AlternativeProcedureActDto }) alternativeProcedure?: AlternativeProcedureActDto;
  @ApiProperty() updatedAt: string;
}

/** A request as a list shows it: the ledger record with `overdue` derived at read time; content not opened. */
export class ConfirmationRecordDto extends ConfirmationRequestDto {
  @ApiProperty() overdue: boolean;
}

/** A confirmation request as the caller may see it, content decrypted for its own institution. */
export class ConfirmationDto extends ConfirmationRecordDto {
  @ApiProperty({ type: SealedContentDto }) declare letter: SealedContentDto;
  @ApiPropertyOptional({ type: ReplyDto }) declare reply?: ReplyDto;
}

export class ConfirmationPageDto {
  @ApiProperty({ type: [ConfirmationRecordDto], description: 'as on the ledger (content not opened: GET /v1/confirmations/{id} opens it)' }) records: ConfirmationRecordDto[];
  @ApiProperty({ description: "pass as ?bookmark= for the next page ('' = last)" }) bookmark: string;
  @ApiProperty() fetchedRecordsCount: number;
}

export class ConfirmationHistoryEntryDto {
  @ApiProperty() txId: string;
  @ApiProperty() timestamp: string;
  @ApiProperty() isDelete: boolean;
  @ApiProperty({ type: ConfirmationRequestDto, nullable: true, description: 'the record as that transaction wrote it (content sealed)' }) value: ConfirmationRequestDto | null;
}

/** GET …/letter and …/reply: the plaintext addressed to the caller's institution. */
export class ContentFileDto {
  @ApiProperty() confirmationId: string;
  @ApiProperty() formId: string;
  @ApiProperty({ enum: ['letter', 'reply'] }) part: string;
  @ApiProperty() contentHash: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the plain JSON letter or reply' }) content: Record<string, unknown>;
  @ApiPropertyOptional({ description: "reply only: the responder's compact JWS" }) signature?: string;
}
