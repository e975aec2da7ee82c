// The one place that starts the native drain thread; everything else takes a Feed, so it can be
// driven by data a test makes.
import { Drain } from '../../addon/index.js';
import type { DrainApi, DrainOptions, DrainEvent, SampleBatch, SetStatus } from '../../addon/types.js';
import { checkProcDir } from './procfs.js';

/** The part of the drain the dashboard and the exporter use. */
export interface Feed {
  take(): SampleBatch[];
  status(): SetStatus[];
  events(): DrainEvent[];
}

/** Checks the proc dir, then starts the drain; throws one-line Errors. */
export function openDrain(options: DrainOptions & { procDir: string }): DrainApi {
  checkProcDir(options.procDir, options.names ?? []);
  let drain: Drain;
  try {
    drain = new Drain(options);
    drain.start();
  } catch (e) {
    // The addon's messages may carry the program name already; main adds it once.
    throw new Error((e as Error).message.replace(/^pktstat-top: /, ''), { cause: e });
  }
  return drain;
}
