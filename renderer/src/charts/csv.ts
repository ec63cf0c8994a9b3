/** CSV text for the data behind a chart or table: the one writer in contract/csv.ts. */
export { toCsv } from '../../../contract/csv';
