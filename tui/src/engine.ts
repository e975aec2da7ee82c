// The one place that loads the native drain engine; everything else takes a Feed, so it can be
// driven by data a test makes.
import type { DrainEngineApi, DrainEngineOptions, EngineEvent, SampleBatch, SetStatus } from '../../addon/types.js';
import { checkProcDir } from './procfs.js';

/** The part of the engine the dashboard and the exporter use. */
export interface Feed {
  take(): SampleBatch[];
  status(): SetStatus[];
  events(): EngineEvent[];
}

interface AddonModule {
  DrainEngine: new (options?: DrainEngineOptions) => DrainEngineApi;
}

/** Checks the proc dir, then loads and starts the engine; throws one-line Errors. */
export async function startEngine(options: DrainEngineOptions & { procDir: string }): Promise<DrainEngineApi> {
  checkProcDir(options.procDir, options.names ?? []);
  // A variable specifier: the addon is built separately and resolved at run time from dist/.
  const specifier = '../../addon/index.js';
  let mod: AddonModule;
  try {
    mod = (await import(specifier)) as AddonModule;
  } catch (e) {
    throw new Error(`cannot load the drain addon (${(e as Error).message.split('\n')[0]}): build it with make node`);
  }
  const engine = new mod.DrainEngine(options);
  engine.start();
  return engine;
}
