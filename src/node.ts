// Node entry: the runtime with the N-API addon installed, the planner (so raw
// .tflite models load directly), the packer and the CLI.
import * as path from 'path';
import { setNative, NativeModule } from './core/native';
import { fail } from './core/errors';

export * from './index';
export * from './app/index';
export { main } from './cli/main';
export { PreparedModel } from './planner/prepare';
export { modelPart, packHash, sectionOf } from './planner/pack';
export { readModel } from './planner/model/reader';
export { verifyModel } from './planner/model/verify';
export { builtinName, opName } from './planner/model/names';
export { planMemory } from './planner/memory';
export * as ota from './ota/bundle';

/** The addon built by node-gyp at `npm install` (build/Release/tinyml.node, next to dist/). */
export function loadAddon(): NativeModule {
  const file = path.join(__dirname, '..', 'build', 'Release', 'tinyml.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(file) as NativeModule;
  } catch (e) {
    // The package's install script builds it; npm may have skipped scripts.
    return fail('E_NO_NATIVE', 'cannot load the native addon ' + file + ' (' + String((e as Error).message).split('\n')[0] +
      '): build it with `npm rebuild tinyml-ts` (needs python3, make and a C compiler)');
  }
}

setNative(loadAddon());
