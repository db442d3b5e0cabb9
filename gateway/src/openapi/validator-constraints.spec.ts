import 'reflect-metadata';
import { Controller, Get, Param, Query } from '@nestjs/common';
import type { OpenAPIObject, ParameterObject, SchemaObject } from '@nestjs/swagger';
import { INSTITUTION_ID, REQUEST_ID } from '@econfirm/common';
import { Type } from 'class-transformer';
import { isBase64, IsBase64, ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { expect } from 'chai';
import { EngagementDto } from '../confirmations/dto/confirmation-inputs.dto';
import { tightenFromValidators } from './validator-constraints';

export class SpecTightenLineDto {
  @IsString() @Matches(INSTITUTION_ID) partyId: string;
}

export class SpecTightenBodyDto {
  @IsString() @Length(1, 1000) reason: string;
  @IsInt() @Min(1) @Max(500) count: number;
  @IsIn(['a', 'b']) kind: string;
  @IsOptional() @IsString() @MaxLength(1024 * 1024) blob?: string;
  @IsString({ each: true }) @Matches(REQUEST_ID, { each: true }) @ArrayMinSize(1) @ArrayMaxSize(10) ids: string[];
  @IsUUID() job: string;
  @ValidateNested({ each: true }) @Type(() => SpecTightenLineDto) lines: SpecTightenLineDto[];
  @Matches(/^x$/i) caseless: string;
  @IsBase64() signature: string;
}

export class SpecTightenQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
  @IsOptional() @IsString() @Matches(INSTITUTION_ID) partyId?: string;
}

export class SpecTightenParams {
  @Matches(/^wh_[A-Za-z0-9_-]{12}$/) id: string;
}

@Controller('spec')
export class SpecTightenController {
  @Get(':id')
  list(@Param() _params: SpecTightenParams, @Query() _query: SpecTightenQuery): string {
    return 'ok';
  }
}

/** What @nestjs/swagger makes of the classes above when @ApiProperty repeats none of the constraints. */
function looseDocument(): OpenAPIObject {
  const str = (): SchemaObject => ({ type: 'string' });
  return {
    openapi: '3.0.0',
    info: { title: 'spec', version: '1' },
    paths: {
      '/spec/{id}': {
        get: {
          operationId: 'SpecTightenController_list',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: str() },
            { name: 'pageSize', in: 'query', required: false, schema: { type: 'number' } },
            { name: 'partyId', in: 'query', required: false, schema: str() },
          ],
          responses: {},
        },
      },
    },
    components: {
      schemas: {
        SpecTightenBodyDto: {
          type: 'object',
          properties: {
            reason: str(),
            count: { type: 'number' },
            kind: str(),
            blob: str(),
            ids: { type: 'array', items: str() },
            job: str(),
            lines: { type: 'array', items: { $ref: '#/components/schemas/SpecTightenLineDto' } },
            caseless: str(),
            signature: str(),
          },
        },
        SpecTightenLineDto: { type: 'object', properties: { partyId: str() } },
        EngagementDto: { type: 'object', properties: { id: str(), clientId: str(), periodStart: str(), periodEnd: str(), asOfDate: str() } },
        SpecUnvalidatedDto: { type: 'object', properties: { anything: str() } },
      },
    },
  };
}

describe('the OpenAPI document is tightened from the class-validator constraints (issue 17 §4)', () => {
  const tightened = (): OpenAPIObject => tightenFromValidators(looseDocument(), [SpecTightenController], { bodyBytes: 256 * 1024 });
  const schema = (doc: OpenAPIObject, name: string): SchemaObject => doc.components!.schemas![name] as SchemaObject;
  const property = (doc: OpenAPIObject, name: string, member: string): SchemaObject => schema(doc, name).properties![member] as SchemaObject;

  it('adds patterns, integers, bounds, lengths, enums, item counts and uuid formats to body schemas', () => {
    const doc = tightened();
    expect(property(doc, 'SpecTightenBodyDto', 'reason')).to.deep.equal({ type: 'string', minLength: 1, maxLength: 1000 });
    expect(property(doc, 'SpecTightenBodyDto', 'count')).to.deep.equal({ type: 'integer', minimum: 1, maximum: 500 });
    expect(property(doc, 'SpecTightenBodyDto', 'kind')).to.include({ type: 'string' }).and.to.have.deep.property('enum', ['a', 'b']);
    expect(property(doc, 'SpecTightenBodyDto', 'ids')).to.deep.equal({ type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', pattern: REQUEST_ID.source } });
    expect(property(doc, 'SpecTightenBodyDto', 'job')).to.include({ format: 'uuid' });
    expect(property(doc, 'SpecTightenLineDto', 'partyId')).to.include({ pattern: INSTITUTION_ID.source });
  });

  it('uses the DTO classes of the gateway itself: EngagementDto gets the ledger formats', () => {
    const doc = tightened();
    expect(schema(doc, EngagementDto.name).properties).to.have.keys('id', 'clientId', 'periodStart', 'periodEnd', 'asOfDate');
    expect(property(doc, 'EngagementDto', 'id').pattern).to.equal(REQUEST_ID.source);
    expect(property(doc, 'EngagementDto', 'clientId').pattern).to.equal(INSTITUTION_ID.source);
    expect(schema(doc, 'EngagementDto').additionalProperties).to.equal(false);
  });

  it("says base64 as class-validator's isBase64 takes it", () => {
    const pattern = new RegExp(property(tightened(), 'SpecTightenBodyDto', 'signature').pattern!);
    for (const value of ['', 'QQ==', 'QUI=', 'QUJD', 'QQ', 'QQ==QQ==', 'QU JD', 'Q===']) expect(pattern.test(value), value).to.equal(isBase64(value));
  });

  it('closes validated schemas (the server refuses unknown members) and leaves unvalidated ones alone', () => {
    const doc = tightened();
    expect(schema(doc, 'SpecTightenBodyDto').additionalProperties).to.equal(false);
    expect(schema(doc, 'SpecUnvalidatedDto')).to.deep.equal(looseDocument().components!.schemas!.SpecUnvalidatedDto);
  });

  it('caps string lengths at what the body limit lets through, and says nothing it cannot say exactly', () => {
    const doc = tightened();
    expect(property(doc, 'SpecTightenBodyDto', 'blob').maxLength).to.equal(256 * 1024 - 4096);
    // A case-insensitive RegExp has no OpenAPI pattern: left out rather than wrong.
    expect(property(doc, 'SpecTightenBodyDto', 'caseless').pattern).to.equal(undefined);
  });

  it("matches query and path parameters to the controller method's @Query() and @Param() DTOs", () => {
    const parameters = tightened().paths['/spec/{id}']!.get!.parameters as ParameterObject[];
    const byName = Object.fromEntries(parameters.map((p) => [p.name, p.schema]));
    expect(byName.id).to.deep.equal({ type: 'string', pattern: '^wh_[A-Za-z0-9_-]{12}$' });
    expect(byName.pageSize).to.deep.equal({ type: 'integer', minimum: 1, maximum: 200 });
    expect(byName.partyId).to.deep.equal({ type: 'string', pattern: INSTITUTION_ID.source });
  });

  it('gives each media type of a body its own alternative of a oneOf of JSON and raw bytes', () => {
    const doc = looseDocument();
    const both = { oneOf: [{ $ref: '#/components/schemas/SpecUnvalidatedDto' }, { type: 'string', format: 'binary' }] } as SchemaObject;
    doc.paths['/spec/{id}']!.post = { requestBody: { content: { 'application/json': { schema: both }, 'application/pdf': { schema: both } } }, responses: {} };
    const content = (tightenFromValidators(doc, [], { bodyBytes: 256 * 1024 }).paths['/spec/{id}']!.post!.requestBody as { content: Record<string, { schema: unknown }> }).content;
    expect(content['application/json']!.schema).to.deep.equal({ $ref: '#/components/schemas/SpecUnvalidatedDto' });
    expect(content['application/pdf']!.schema).to.deep.equal({ type: 'string', format: 'binary' });
  });
});
