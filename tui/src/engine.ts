// The one place that starts the native drain engine; everything else takes a Feed, so it can be
// driven by data a test makes.
import { DrainEngine } from '../../addon/index.js';
import type { DrainEngineApi, DrainEngineOptions, EngineEvent, SampleBatch, SetStatus } from '../../addon/types.js';
import { checkProcDir } from './procfs.js';

/** The part of the engine the dashboard and the exporter use. */
export interface Feed {
  take(): SampleBatch[];
  status(): SetStatus[];
  events(): EngineEvent[];
}

/** Checks the proc dir, then starts the engine; throws one-line Errors. */
export function startEngine(options: DrainEngineOptions & { procDir: string }): DrainEngineApi {
  checkProcDir(options.procDir, options.names ?? []);
  let engine: DrainEngine;
  try {
    engine = new DrainEngine(options);
    engine.start();
  } catch (e) {
    // The addon's messages may carry the program name already; main adds it once.
    throw new Error((e as Error).message.replace(/^pktstat-top: /, ''), { cause: e });
  }
  return engine;
}
