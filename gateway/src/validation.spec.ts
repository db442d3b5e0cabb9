import { expect } from 'chai';
import { EngagementDto } from './confirmations/dto/confirmation-inputs.dto';
import { VerifyJsonDto } from './evidence/evidence.controller';
import { PublicJwkDto } from './institutions/dto/institution-inputs.dto';
import { CreateWebhookDto, ReplayDto } from './webhooks/dto/webhook.dto';
import { GatewayError } from './errors/gateway-error';
import { validationPipe } from './validation';

/**
 * The edge uses the chaincode's own formats (common/src/domain/formats.ts): what the chaincode
 * would refuse never leaves the gateway, so a bad date or key costs no endorsement.
 */
describe('validation at the edge uses the ledger formats', () => {
  const pipe = validationPipe();
  async function issues(metatype: new () => object, value: object): Promise<string[]> {
    try {
      await pipe.transform(value, { type: 'body', metatype });
      return [];
    } catch (err) {
      expect(err).to.be.instanceOf(GatewayError);
      return ((err as GatewayError).details as { issues: { path: string }[] }).issues.map((i) => i.path);
    }
  }
  const engagement = { id: 'ENG-2025-CLIENT1', clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };

  it('accepts a well-formed engagement', async () => {
    expect(await issues(EngagementDto, engagement)).to.deep.equal([]);
  });

  it('refuses a calendar-impossible as-of date the chaincode would refuse', async () => {
    expect(await issues(EngagementDto, { ...engagement, asOfDate: '2025-13-45' })).to.deep.equal(['asOfDate']);
  });

  it('refuses a webhook sequence SQLite could not give back as a JS number (above 2^53 − 1): 400, not a 500 on every later read', async () => {
    const url = 'https://erp.bank1.example/econfirm/events';
    expect(await issues(CreateWebhookDto, { url, fromSequence: Number.MAX_SAFE_INTEGER })).to.deep.equal([]);
    expect(await issues(CreateWebhookDto, { url, fromSequence: 1e18 })).to.deep.equal(['fromSequence']);
    expect(await issues(ReplayDto, { fromSequence: 1e18 })).to.deep.equal(['fromSequence']);
  });

  it('refuses a P-256 coordinate that is not 32 bytes of base64url', async () => {
    const x = 'A'.repeat(43);
    expect(await issues(PublicJwkDto, { kty: 'EC', crv: 'P-256', x, y: x })).to.deep.equal([]);
    expect(await issues(PublicJwkDto, { kty: 'EC', crv: 'P-256', x: 'A'.repeat(44), y: x })).to.deep.equal(['x']);
  });
});

/**
 * The evidence verifier checks certificates at the time its caller chooses (`at`, else now): the
 * gateway's caller is not the verifier, so POST /v1/evidence/verify has no `at` (issue 10).
 */
describe('POST /v1/evidence/verify takes no verification time from the caller', () => {
  it('refuses a body naming `at`', async () => {
    const refused = await validationPipe().transform({ pdf: 'JVBERi0=', at: '2020-01-01T00:00:00Z' }, { type: 'body', metatype: VerifyJsonDto }).then(() => undefined, (err: unknown) => err);
    expect(refused).to.be.instanceOf(GatewayError);
    expect(((refused as GatewayError).details as { issues: { path: string }[] }).issues.map((i) => i.path)).to.deep.equal(['at']);
  });
});
