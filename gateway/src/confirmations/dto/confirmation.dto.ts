import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONFIRMATION_KINDS, CONFIRMATION_STATES } from '@econfirm/common';

export class ActDto {
  @ApiProperty({ description: 'certificate identity of the actor' }) by: string;
  @ApiProperty({ description: 'transaction time' }) at: string;
}

export class SealedContentDto {
  @ApiProperty({ description: 'JWE (General JSON) as on the ledger' }) ciphertext: string;
  @ApiProperty({ description: 'salted sha256 hex of the plaintext' }) contentHash: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "decrypted by the gateway when addressed to the caller's institution" })
  content?: unknown;
  @ApiProperty({ enum: ['decrypted', 'not-addressed', 'no-key', 'failed'], description: 'whether the gateway could open it for this tenant' })
  readable: string;
}

export class ReplyDto extends SealedContentDto {
  @ApiProperty({ enum: ['agrees', 'disagrees'] }) conclusion: string;
  @ApiProperty() signatureHash: string;
  @ApiProperty() signingKid: string;
  @ApiProperty() preparedBy: string;
  @ApiProperty() preparedAt: string;
  @ApiPropertyOptional() approvedBy?: string;
  @ApiPropertyOptional() approvedAt?: string;
  @ApiPropertyOptional({ description: "the responder's compact JWS (inside the JWE)" }) signature?: string;
  @ApiPropertyOptional({ description: "the JWS verifies with the responder's registry key and signs this reply's hash" }) signatureValid?: boolean;
}

/** A confirmation request as the caller may see it, content decrypted for its own institution. */
export class ConfirmationDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CONFIRMATION_KINDS }) kind: string;
  @ApiProperty() formId: string;
  @ApiProperty() firmId: string;
  @ApiProperty() engagementId: string;
  @ApiProperty() clientId: string;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty() asOfDate: string;
  @ApiProperty() addresseeId: string;
  @ApiProperty() responderId: string;
  @ApiProperty({ enum: ['client', 'firm'] }) feePayer: string;
  @ApiProperty({ enum: CONFIRMATION_STATES }) state: string;
  @ApiProperty() overdue: boolean;
  @ApiProperty({ type: SealedContentDto }) letter: SealedContentDto;
  @ApiProperty({ type: ActDto }) issued: ActDto;
  @ApiProperty() authorizationDueAt: string;
  @ApiPropertyOptional() sentAt?: string;
  @ApiPropertyOptional() replyDueAt?: string;
  @ApiPropertyOptional({ type: ReplyDto }) reply?: ReplyDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'authorization, refusal, acceptance, return, lastReplyRejection, auditorAcceptance, recall, alternativeProcedure: { by, at, … }' })
  acts?: unknown;
  @ApiProperty() attempt: number;
  @ApiPropertyOptional() followUpOf?: string;
  @ApiPropertyOptional() followUpId?: string;
  @ApiProperty() updatedAt: string;
}

export class ConfirmationPageDto {
  @ApiProperty({ type: [ConfirmationDto] }) records: ConfirmationDto[];
  @ApiProperty({ description: "pass as ?bookmark= for the next page ('' = last)" }) bookmark: string;
  @ApiProperty() fetchedRecordsCount: number;
}
