// Node entry: the runtime with the N-API addon installed, the planner (so raw
// .tflite models load directly), the packer and the CLI.
import * as path from 'path';
import { setNative, NativeModule } from './core/native';

export * from './index';
export { main } from './cli/main';
export { PreparedModel } from './planner/prepare';
export { modelPart, packHash, sectionOf } from './planner/pack';
export { readModel } from './planner/model/reader';
export { verifyModel } from './planner/model/verify';
export { builtinName } from './planner/model/names';
export { planMemory } from './planner/memory';

/** The addon built by node-gyp at `npm install` (build/Release/tinyml.node, next to dist/). */
export function loadAddon(): NativeModule {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(path.join(__dirname, '..', 'build', 'Release', 'tinyml.node')) as NativeModule;
}

setNative(loadAddon());
