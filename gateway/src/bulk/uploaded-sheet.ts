import { PayloadTooLargeException, type CallHandler, type DynamicModule, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { catchError, throwError, type Observable } from 'rxjs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { SheetLimitError, type SheetLimits } from './sheet-limits';
import { readSheet, UnreadableFileError, type Sheet } from './table-reader';

/**
 * What every upload of a table shares — the letter bulk (bulk.controller.ts) and the payment-batch
 * import (payment-batches/): multer's bounds from config `bulk`, its "file too large" in the
 * gateway's error format, and the file read within the `bulk` limits with its refusals mapped to
 * the same codes.
 */

/** Multer for one in-memory file (bounded by `bulk.uploadBytes`): parsed at once, never written to disk. */
export function uploadMulterModule(): DynamicModule {
  return MulterModule.registerAsync({
    inject: [GATEWAY_CONFIG],
    useFactory: (config: GatewayConfig) => ({ limits: { fileSize: config.bulk.uploadBytes, files: 1, fields: 10, fieldSize: 256 } }),
  });
}

/** Multer's "File too large" in the gateway's error format, with the limit. */
export class UploadLimitInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) =>
        throwError(() => (err instanceof PayloadTooLargeException ? new GatewayError('UPLOAD_TOO_LARGE', `the file is larger than this gateway accepts (${err.message})`) : err)),
      ),
    );
  }
}

/**
 * The uploaded file as a table, or the refusal: 422 INVALID_FILE (empty, not CSV/XLSX), 413 with
 * the bound (`TOO_MANY_ROWS`, `TOO_MANY_CELLS`, `UNCOMPRESSED_TOO_LARGE`, details naming the
 * setting). `advice` ends a limit's message (what to do, and that nothing was done).
 */
export async function readUploadedSheet(bytes: Uint8Array, fileName: string, limits: SheetLimits, advice: string): Promise<Sheet> {
  if (bytes.length === 0) throw new GatewayError('INVALID_FILE', 'the uploaded file is empty', { issues: [{ line: 0, field: 'file', problem: 'empty' }] });
  try {
    return await readSheet(bytes, fileName, limits);
  } catch (err) {
    if (err instanceof SheetLimitError) {
      // Nothing was recorded: the file was refused while it was being read.
      throw new GatewayError(err.code, `${err.message} (bulk.${err.setting}): ${advice}`, { [err.setting]: err.limit });
    }
    if (err instanceof UnreadableFileError) {
      throw new GatewayError('INVALID_FILE', err.message, { issues: [{ line: err.line, field: 'file', problem: err.message }] });
    }
    throw err;
  }
}
