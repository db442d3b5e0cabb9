import { Controller, Get, Inject, Logger, Req, Res, type OnModuleInit } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { PORTAL_HEADERS, portalBuilt, readPortalFile } from './portal-files';

/**
 * The web portal's static files at /portal/ (not API: excluded from the OpenAPI document, no
 * token — the portal signs its own tokens for /v1 in the browser). `/portal` redirects to
 * `/portal/` so the page's relative URLs resolve below it.
 */
@ApiExcludeController()
@Public()
@Controller('portal')
export class PortalController implements OnModuleInit {
  private readonly logger = new Logger('Portal');

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  onModuleInit(): void {
    const { enabled, dir } = this.config.portal;
    if (enabled && !portalBuilt(dir)) this.logger.warn({ msg: 'portal enabled but not built: /portal/ answers 404 PORTAL_NOT_BUILT', dir });
  }

  @Get()
  root(@Req() req: Request, @Res() res: Response): void {
    const [pathname, query] = splitUrl(req.originalUrl);
    if (!pathname.endsWith('/')) {
      this.guard(res);
      res.redirect(301, `/portal/${query}`);
      return;
    }
    this.send(res, '');
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const [pathname] = splitUrl(req.originalUrl);
    this.send(res, pathname.slice('/portal/'.length));
  }

  /** Security headers first (they go on errors too); a disabled portal is no route at all. */
  private guard(res: Response): void {
    if (!this.config.portal.enabled) throw new GatewayError('ROUTE_NOT_FOUND', 'the portal is not enabled on this gateway');
    for (const [name, value] of Object.entries(PORTAL_HEADERS)) res.setHeader(name, value);
  }

  private send(res: Response, urlPath: string): void {
    this.guard(res);
    const file = readPortalFile(this.config.portal.dir, urlPath);
    if (!file) {
      if (!portalBuilt(this.config.portal.dir)) throw new GatewayError('PORTAL_NOT_BUILT', 'the portal is not built (npm run build)');
      throw new GatewayError('NOT_FOUND', 'no such portal file');
    }
    res.status(200).type(file.contentType).send(file.body);
  }
}

function splitUrl(url: string): [pathname: string, query: string] {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
