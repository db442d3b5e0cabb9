import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AMOUNT_STATUSES, DISCHARGE_REASONS, MORTGAGE_STATES, MORTGAGE_TYPES, PROPERTY_TYPES, REVIEWED_MORTGAGE_ACTIONS } from '@econfirm/common';
import { EncryptedContentDto, SealedContentDto } from '../../confirmations/dto/confirmation.dto';

/** OpenAPI schemas of mortgage records as the routes answer them (common/src/domain/mortgage.ts). */

export class MortgageStepDto {
  @ApiProperty() action: string;
  @ApiProperty({ enum: MORTGAGE_STATES }) state: string;
  @ApiProperty({ description: 'certificate identity of the actor (the registry officer for registry steps)' }) by: string;
  @ApiProperty({ description: 'transaction time' }) at: string;
}

export class PendingChangeDto {
  @ApiProperty({ description: "the debt term's end once approved" }) debtTermEnd: string;
  @ApiProperty({ type: SealedContentDto, description: "the changed application — opened when addressed to the caller's institution, so that the reviewer sees what it approves" }) application: SealedContentDto;
}

export class PendingTransferDto {
  @ApiProperty({ type: [String], description: "the new owners' registered institutions, the mortgagors once approved" }) mortgagorIds: string[];
  @ApiProperty({ type: SealedContentDto, description: 'the application naming the new owners, sealed to them, the bank and the registry' }) application: SealedContentDto;
}

export class MortgageReviewDto {
  @ApiProperty({ enum: REVIEWED_MORTGAGE_ACTIONS, description: 'the registry decision prepared' }) action: string;
  @ApiProperty({ enum: MORTGAGE_STATES, description: 'the state a return sends the record back to' }) from: string;
  @ApiProperty({ description: "the registrar's certificate identity: the reviewer must be another" }) preparedBy: string;
  @ApiProperty() preparedAt: string;
  @ApiPropertyOptional({ description: "a discharge's case number, applied on approval" }) caseNumber?: string;
  @ApiPropertyOptional({ enum: DISCHARGE_REASONS }) reason?: string;
  @ApiPropertyOptional({ description: "a rejection's reason code, applied on approval" }) rejectionReason?: string;
  @ApiPropertyOptional({ type: PendingChangeDto, description: 'a change, applied on approval' }) change?: PendingChangeDto;
  @ApiPropertyOptional({ type: PendingTransferDto, description: 'a transfer, applied on approval' }) transfer?: PendingTransferDto;
}

export class MortgageReviewReturnDto {
  @ApiProperty({ enum: REVIEWED_MORTGAGE_ACTIONS }) action: string;
  @ApiProperty() by: string;
  @ApiProperty() at: string;
  @ApiProperty({ description: 'a reason code' }) reason: string;
}

export class MortgageDto {
  @ApiProperty() id: string;
  @ApiProperty() registryId: string;
  @ApiProperty() mortgageeId: string;
  @ApiProperty({ description: 'SHA-256 hex key of the unit number' }) unitKey: string;
  @ApiProperty({ enum: PROPERTY_TYPES }) propertyType: string;
  @ApiProperty({ enum: MORTGAGE_TYPES }) mortgageType: string;
  @ApiProperty() debtTermStart: string;
  @ApiProperty() debtTermEnd: string;
  @ApiProperty() preRegistration: boolean;
  @ApiProperty({ type: [String] }) mortgagorIds: string[];
  @ApiProperty() consentHash: string;
  @ApiProperty({ type: SealedContentDto, description: "unit number, location, mortgagors, amount — opened when addressed to the caller's institution" }) application: SealedContentDto;
  @ApiProperty({ enum: MORTGAGE_STATES }) state: string;
  @ApiPropertyOptional({ description: '1 = first; present while the registration encumbers its unit' }) priority?: number;
  @ApiPropertyOptional() certificateKey?: string;
  @ApiPropertyOptional({ type: SealedContentDto, description: 'the registration certificate (number, matters certified)' }) certificate?: SealedContentDto;
  @ApiPropertyOptional() registeredAt?: string;
  @ApiPropertyOptional({ description: 'the registrar who examined and prepared the registration' }) registeredBy?: string;
  @ApiPropertyOptional({ description: 'the registry reviewer who approved it' }) registrationApprovedBy?: string;
  @ApiPropertyOptional({ type: MortgageReviewDto, description: 'a decision the registrar prepared (pre-registration, registration, rejection, change, transfer, discharge), awaiting a registry reviewer' }) review?: MortgageReviewDto;
  @ApiPropertyOptional({ type: MortgageReviewReturnDto, description: "the reviewer's last return of a prepared step" }) lastReviewReturn?: MortgageReviewReturnDto;
  @ApiPropertyOptional() rejectionReason?: string;
  @ApiPropertyOptional({ enum: DISCHARGE_REASONS }) dischargeReason?: string;
  @ApiPropertyOptional() dischargeCaseNumber?: string;
  @ApiPropertyOptional() dischargedAt?: string;
  @ApiProperty({ type: [MortgageStepDto] }) steps: MortgageStepDto[];
}

export class MortgagePageDto {
  @ApiProperty({ type: [MortgageDto] }) records: MortgageDto[];
  @ApiProperty() bookmark: string;
  @ApiProperty() fetchedRecordsCount: number;
}

export class EncumbranceAmountDto {
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiPropertyOptional({ example: '3500000.00', description: 'an ordinary mortgage: the secured principal' }) securedPrincipal?: string;
  @ApiPropertyOptional({ example: '5000000.00', description: 'a maximum-amount mortgage: the maximum secured amount' }) maximumAmount?: string;
}

export class EncumbranceDto {
  @ApiProperty() mortgageId: string;
  @ApiProperty() priority: number;
  @ApiProperty({ enum: MORTGAGE_TYPES }) mortgageType: string;
  @ApiProperty() mortgageeId: string;
  @ApiProperty() registeredAt: string;
  @ApiProperty() debtTermStart: string;
  @ApiProperty() debtTermEnd: string;
  @ApiProperty({ enum: MORTGAGE_STATES }) state: string;
  @ApiProperty({
    enum: AMOUNT_STATUSES,
    description: "shown: `amount` opened with this tenant's key and matching the ledger's salted hash; not-disclosed: no copy sealed to the caller (a bank: the owner's authorization did not widen this application, or it changed since — ask for a new one); no-key: sealed to the caller, but this gateway holds no key of the tenant (open `application` with your own); unreadable: it does not open to what the ledger's hash names",
  })
  amountStatus: string;
  @ApiPropertyOptional({ type: EncumbranceAmountDto }) amount?: EncumbranceAmountDto;
  @ApiPropertyOptional({ type: EncryptedContentDto, description: 'the application sealed to the caller (a registry: the record\'s; a bank: the copy the owner widened to it), as on the ledger' })
  application?: EncryptedContentDto;
}

export class EncumbranceConsentDto {
  @ApiProperty({ example: 'BANK2' }) bankId: string;
  @ApiProperty({ example: '2026-12-31', description: "the consent's last day (inclusive, UTC)" }) validUntil: string;
  @ApiProperty({ type: [String], description: "the active registrations whose current application the bank may open; one missing (registered, changed or transferred since the consent) is disclosed by POST /v1/mortgages/encumbrance-disclosures — after a reviewer's approval through this gateway, at once" })
  disclosed: string[];
}

export class EncumbrancesDto {
  @ApiProperty() unitKey: string;
  @ApiProperty({ type: [EncumbranceDto], description: 'active encumbrances in priority order' }) encumbrances: EncumbranceDto[];
  @ApiPropertyOptional({ type: [EncumbranceConsentDto], description: "the registry's registrars and reviewers only: the banks holding a current consent of the unit's owner" })
  consents?: EncumbranceConsentDto[];
}

export class EncumbranceDisclosedDto {
  @ApiProperty({ example: 'BANK2' }) bankId: string;
  @ApiProperty({ example: 'MTG-DEMO-0002' }) mortgageId: string;
}

export class EncumbranceDisclosuresDto {
  @ApiProperty() unitKey: string;
  @ApiProperty({ type: [EncumbranceDisclosedDto], description: 'each application widened now to a bank holding a current consent; empty when none lacked one' })
  disclosed: EncumbranceDisclosedDto[];
}

export class EncumbranceAuthorizationRecordDto {
  @ApiProperty() unitKey: string;
  @ApiProperty() bankId: string;
  @ApiProperty() validUntil: string;
  @ApiProperty() grantedBy: string;
  @ApiProperty() grantedFor: string;
  @ApiProperty() at: string;
  @ApiProperty({ type: [String], description: 'the registrations whose applications the bank may now open (their amounts)' }) disclosed: string[];
}

export class AuditorAccessRecordDto {
  @ApiProperty() clientId: string;
  @ApiProperty() firmId: string;
  @ApiProperty() validUntil: string;
  @ApiProperty() grantedBy: string;
  @ApiProperty() at: string;
}

export class AccessRevokedDto {
  @ApiProperty() clientId: string;
  @ApiProperty() firmId: string;
  @ApiProperty({ enum: [true] }) revoked: boolean;
}
