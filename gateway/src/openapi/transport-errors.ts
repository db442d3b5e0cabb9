import { errorCodesText } from '@econfirm/common';
import { getSchemaPath, type OpenAPIObject, type OperationObject } from '@nestjs/swagger';
import { ErrorResponse } from './common.dto';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * What the HTTP edge answers before any route runs, documented on every operation: headers over
 * Node's limit are 431 HEADERS_TOO_LARGE (http/http-edges.ts `answerUnreadableRequests`). Any
 * request can carry such headers (a long query string counts), so a client — or a fuzzer holding
 * the server to this document — must find the status on the operation it called, not on none.
 */
export function documentTransportErrors(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      operation.responses['431'] ??= {
        description: errorCodesText(431, ['HEADERS_TOO_LARGE']),
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponse) } } },
      };
    }
  }
}
