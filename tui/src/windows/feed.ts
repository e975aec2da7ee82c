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

/**
 * Starts the drain; throws the addon's one-line Errors (module missing, not root, unknown rule),
 * which name no program: the command line adds its own.
 */
export function openDrain(options: DrainOptions & { procDir: string }): DrainApi {
  const drain = new Drain(options);
  drain.start();
  return drain;
}
