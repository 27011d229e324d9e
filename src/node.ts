// Node entry: the runtime with the N-API addon installed, plus the CLI.
import * as path from 'path';
import { setNative, NativeModule } from './native';
import { fail } from './runtime/errors';

export * from './index';
export { main } from './cli/main';
export { readModel } from './model/reader';
export { verifyModel } from './model/verify';
export { builtinName } from './model/names';
export { planMemory } from './runtime/planner';

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
