/** One page of a paginated query, as every list transaction returns it. */
export interface Page<T> {
  records: T[];
  bookmark: string;
  fetchedRecordsCount: number;
}

export interface HistoryEntry<T> {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  value: T | null;
}
