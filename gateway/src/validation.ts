import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { GatewayError } from './errors/gateway-error';

export interface FieldIssue {
  path: string;
  problem: string;
}

function flatten(errors: ValidationError[], prefix = ''): FieldIssue[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((problem) => ({ path, problem }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * Global input validation at the edge: DTO classes (class-validator), unknown fields refused
 * (whitelist + forbidNonWhitelisted), no implicit type coercion of bodies; every issue reported
 * with its field path, nothing reaches the ledger.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const issues = flatten(errors);
      return new GatewayError('VALIDATION_FAILED', `invalid request: ${issues.map((i) => `${i.path}: ${i.problem}`).join('; ')}`, { issues });
    },
  });
}
