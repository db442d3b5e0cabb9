import 'reflect-metadata';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config/gateway-config';
import { GatewayError } from './errors/gateway-error';
import { errorBody, GatewayExceptionFilter } from './errors/gateway-exception.filter';
import { answerUnreadableRequests, DocumentedMethods, refuseUnknownMethods } from './http/http-edges';
import { checkJsonBytes, refuseReservedKeys } from './http/json-body';
import { JsonLogger } from './logging/json-logger';
import { requestLogging } from './logging/request-logging';
import { IdleMemoryReclaim } from './memory/idle-reclaim';
import { MetricsService } from './metrics/metrics.service';
import { documentTransportErrors } from './openapi/transport-errors';
import { tightenFromValidators } from './openapi/validator-constraints';
import { validationPipe } from './validation';

/** body-parser failures happen before Nest routes: answer them in the gateway's error format. */
function bodyErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const type = (err as { type?: unknown }).type;
  const error =
    // checkJsonBytes' refusal, thrown from body-parser's verify hook (it passes the error on as it is).
    err instanceof GatewayError
      ? err
      : type === 'entity.parse.failed'
      ? new GatewayError('MALFORMED_JSON', 'the request body is not valid JSON')
      : type === 'entity.too.large'
        ? new GatewayError('PAYLOAD_TOO_LARGE', 'the request body is larger than the gateway accepts', { limitBytes: (err as { limit?: number }).limit })
        : type === 'encoding.unsupported' || type === 'charset.unsupported'
          ? new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding or charset')
          : undefined;
  if (!error) {
    next(err);
    return;
  }
  res.status(error.httpStatus).json(errorBody(error));
}

export const OPENAPI_TITLE = 'econfirm gateway';

/**
 * Builds the gateway application (used by main.ts and by the e2e tests): JSON logs with request
 * ids, a bounded JSON body parser, global validation and error format, OpenAPI 3 at
 * /openapi.json (as strict as the validation: openapi/validator-constraints.ts) with docs at /docs, shutdown hooks that close gRPC and the database.
 */
export async function createApp(config: GatewayConfig): Promise<NestExpressApplication> {
  const logger = new JsonLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, logger, abortOnError: false });
  app.use(requestLogging(app.get(MetricsService)));
  const reclaim = new IdleMemoryReclaim(config.memory.reclaimIdleSeconds * 1000);
  app.use(reclaim.middleware);
  app.use(refuseUnknownMethods);
  // Learns the documented paths once the document is built below (before any request is served).
  const documentedMethods = new DocumentedMethods();
  app.use(documentedMethods.refuse);
  answerUnreadableRequests(app.getHttpServer());
  app.useBodyParser('json', { limit: config.limits.bodyBytes, strict: true, verify: (_req: Request, _res: Response, bytes: Buffer) => checkJsonBytes(bytes, config.limits.jsonDepth) });
  app.use(bodyErrors);
  app.use(refuseReservedKeys);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new GatewayExceptionFilter());
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(OPENAPI_TITLE)
      .setDescription('REST API of the econfirm ledger: institutions, confirmations, offline signing, statistics. See gateway/README.md.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256, ≤ 5 min, single-use jti)' })
      .build(),
  );
  const controllers = [...app.get(ModulesContainer).values()].flatMap((module) => [...module.controllers.values()].map((wrapper) => wrapper.metatype));
  tightenFromValidators(document, controllers.filter((c): c is NonNullable<typeof c> & (abstract new (...args: never[]) => unknown) => typeof c === 'function'), { bodyBytes: config.limits.bodyBytes });
  documentTransportErrors(document);
  documentedMethods.learn(document.paths);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
  try {
    await app.init();
  } catch (err) {
    // A start-up refusal in a bootstrap hook (an anchorer key that cannot sign) comes after the
    // database and the Fabric connections opened: release them, or the process stays up holding them.
    await app.close().catch(() => undefined);
    throw err;
  }
  reclaim.start();
  app.getHttpServer().once('close', () => reclaim.stop());
  return app;
}
