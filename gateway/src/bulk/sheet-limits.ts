/** The bounds one upload is read within (config section `bulk`), checked before anything is materialized. */
export interface SheetLimits {
  maxRows: number;
  maxCells: number;
  maxUncompressedBytes: number;
}

/** Which bound an upload broke: its stable error code and the config setting that names the limit. */
export type SheetLimitCode = 'TOO_MANY_ROWS' | 'TOO_MANY_CELLS' | 'UNCOMPRESSED_TOO_LARGE';

const SETTING: Record<SheetLimitCode, keyof SheetLimits> = {
  TOO_MANY_ROWS: 'maxRows',
  TOO_MANY_CELLS: 'maxCells',
  UNCOMPRESSED_TOO_LARGE: 'maxUncompressedBytes',
};

/** An upload over one of its bounds: reading stopped there (413 with the limit named). */
export class SheetLimitError extends Error {
  readonly setting: keyof SheetLimits;

  constructor(
    readonly code: SheetLimitCode,
    readonly limit: number,
    message: string,
  ) {
    super(message);
    this.setting = SETTING[code];
  }

  static rows(limits: SheetLimits): SheetLimitError {
    return new SheetLimitError('TOO_MANY_ROWS', limits.maxRows, `the file has more than ${limits.maxRows} data rows`);
  }

  static cells(limits: SheetLimits): SheetLimitError {
    return new SheetLimitError('TOO_MANY_CELLS', limits.maxCells, `the file has more than ${limits.maxCells} cells`);
  }

  static inflated(limits: SheetLimits): SheetLimitError {
    return new SheetLimitError('UNCOMPRESSED_TOO_LARGE', limits.maxUncompressedBytes, `the workbook inflates to more than ${limits.maxUncompressedBytes} bytes`);
  }
}
