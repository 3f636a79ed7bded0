/**
 * A decision log as JSON Lines (what `arbiter audit export` writes), read back one record at a
 * time, so a reader's memory does not grow with the file.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { readLogRecord } from './record.js';
import type { LogRecord } from './store.js';

/** A line that is not a record of the log: the file and line say where. */
export class LogLineError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'LogLineError';
  }
}

export async function* jsonlRecords(file: string): AsyncGenerator<LogRecord> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let at = 0;
  for await (const line of lines) {
    at++;
    if (line.trim() === '') continue;
    let r: LogRecord;
    try {
      r = readLogRecord(line);
    } catch (e) {
      throw new LogLineError(file, at, `not a record of the decision log: ${(e as Error).message}`);
    }
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || typeof r.action !== 'string') throw new LogLineError(file, at, 'not a record of the decision log: it has no `id` and `action`');
    yield r;
  }
}
