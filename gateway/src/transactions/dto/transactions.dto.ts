import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsOptional, IsString, MaxLength } from 'class-validator';
import { ANY_JSON } from '../../openapi/common.dto';

export class SignatureDto {
  @ApiProperty({
    description: 'base64 DER ECDSA (P-256, low-S) signature over the digest, made with the identity key the gateway never sees',
    example: 'MEUCIBaWNoFyS2NXiHba1dc+a3IWwqxd9lI9nsi3A9133GDdAiEA+sU0QYyWheoHtYVfa2kn4UOYsGZmIue6PfRZg8dpnkA=',
  })
  @IsString()
  @IsBase64()
  @MaxLength(200)
  signature: string;
}

export class SubmissionDto extends SignatureDto {
  @ApiPropertyOptional({ description: "base64 signature over SHA-256 of commitStatusRequest; without it the gateway reads the commit status as a custodial identity of the caller's tenant" })
  @IsOptional()
  @IsString()
  @IsBase64()
  @MaxLength(200)
  commitSignature?: string;
}

export class EndorsedDto {
  @ApiProperty() transactionId: string;
  @ApiProperty({ enum: ['endorsed'] }) stage: 'endorsed';
  @ApiProperty({ description: 'base64 of the endorsed, unsigned transaction (fabric-gateway PreparedTransaction): decode and check it, sign SHA-256 of its envelope payload, POST …/submission' }) transaction: string;
  @ApiProperty({ description: 'base64 of the unsigned commit-status request (gateway.CommitStatusRequest): check it, sign its SHA-256 too (commitSignature)' }) commitStatusRequest: string;
  @ApiProperty() next: string;
}

export class CommittedDto {
  @ApiProperty() transactionId: string;
  @ApiProperty() blockNumber: string;
  @ApiProperty({ enum: ['VALID'] }) status: 'VALID';
  @ApiProperty({ ...ANY_JSON, description: 'the same body the custodial route answers (e.g. the confirmation)' }) result: unknown;
}

export class EvaluatedDto {
  @ApiProperty() transactionId: string;
  @ApiProperty({ ...ANY_JSON, description: 'the same body the custodial read answers' }) result: unknown;
}

export class TransactionOutcomeDto {
  @ApiProperty({ description: 'the HTTP status the final answer had' }) status: number;
  @ApiProperty({ ...ANY_JSON, description: 'the final answer: CommittedDto, EvaluatedDto or the error body' }) body: unknown;
}

export class TransactionStatusDto {
  @ApiProperty() transactionId: string;
  @ApiProperty({ enum: ['submit', 'evaluate'] }) mode: string;
  @ApiProperty({ enum: ['proposed', 'endorsed', 'submitted', 'committed', 'evaluated', 'failed'] }) stage: string;
  @ApiProperty({ example: 'confirmation:BankAccept', description: 'contract:transaction' }) transaction: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() expiresAt: string;
  @ApiPropertyOptional({ type: TransactionOutcomeDto, description: 'once finished' }) outcome?: TransactionOutcomeDto;
}
