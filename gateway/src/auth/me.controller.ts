import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiCallerErrors, ApiNeverForbidden, ErrorResponse } from '../openapi/common.dto';
import { PrincipalDto } from './dto/principal.dto';
import { CurrentPrincipal } from './decorators';
import type { Principal } from './principal';

@ApiTags('auth')
@ApiBearerAuth()
@ApiCallerErrors()
@ApiNeverForbidden('any authenticated caller; it only reads its own token')
@Controller('v1/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'Who the API token authenticates: tenant, institution, identity, role, custody' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiUnauthorizedResponse({ type: ErrorResponse, description: 'missing, invalid, expired or replayed token' })
  me(@CurrentPrincipal() principal: Principal): PrincipalDto {
    return { ...principal };
  }
}
