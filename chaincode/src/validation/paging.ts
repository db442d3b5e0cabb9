import { invalid } from './field-reader';

export const MAX_PAGE_SIZE = 200;

/** Page sizes arrive as transaction strings: "1".."200". */
export function parsePageSize(pageSize: string): number {
  const size = Number(pageSize);
  if (!/^[0-9]{1,4}$/.test(pageSize) || size < 1 || size > MAX_PAGE_SIZE) {
    throw invalid('pageSize', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}
