import 'reflect-metadata';
import { expect } from 'chai';
import { ReceivablesController } from '../receivables/receivables.controller';
import { GatewayError } from '../errors/gateway-error';
import { validationPipe } from '../validation';
import { MortgagesController } from './mortgages.controller';

/**
 * DELETE …/auditor-access/{firmId} takes its firm from the path: the edge refuses a firm that is
 * not a registry id (VALIDATION_FAILED, 400) before the handler runs, so nothing is submitted.
 * The global pipe validates what the handler declares, so the test runs it on that declaration.
 */
describe('DELETE auditor-access/{firmId} validates the firm id', () => {
  const pipe = validationPipe();
  const controllers = { mortgages: MortgagesController, receivables: ReceivablesController };

  for (const [name, controller] of Object.entries(controllers)) {
    const types = Reflect.getMetadata('design:paramtypes', controller.prototype, 'revokeAuditorAccess') as (new () => object)[];
    const metatype = types[1];
    const run = (firmId: string): Promise<unknown> => pipe.transform({ firmId }, { type: 'param', metatype });

    it(`${name}: accepts a registry id`, async () => {
      expect(await run('FIRM1')).to.include({ firmId: 'FIRM1' });
    });

    for (const bad of ['', '-FIRM1', 'FIRM 1', 'F'.repeat(65), 'FIRM1/../X']) {
      it(`${name}: refuses ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 8)}…(${bad.length})` : bad)} with VALIDATION_FAILED`, async () => {
        const err = await run(bad).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(GatewayError);
        expect((err as GatewayError).code).to.equal('VALIDATION_FAILED');
        expect((err as GatewayError).httpStatus).to.equal(400);
        expect(((err as GatewayError).details as { issues: { path: string }[] }).issues.map((i) => i.path)).to.deep.equal(['firmId']);
      });
    }
  }
});
