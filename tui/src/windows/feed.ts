// The one place that starts the native drain thread; everything else takes a Feed, so it can be
// driven by data a test makes.
import { Drain } from '../../../addon/index.js';
import type { DrainApi, DrainOptions, DrainEvent, SampleBatch, SetStatus } from '../../../addon/types.js';

/** The part of the drain the dashboard and the exporter use. */
export interface Feed {
  take(): SampleBatch[];
  status(): SetStatus[];
  events(): DrainEvent[];
}

/** Starts the drain; throws the addon's one-line Errors (module missing, not root, unknown rule). */
export function openDrain(options: DrainOptions & { procDir: string }): DrainApi {
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
