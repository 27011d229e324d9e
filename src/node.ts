// Node entry: the runtime with the N-API addon installed, plus the CLI.
import * as path from 'path';
import { setNative, NativeModule } from './native';

export * from './index';
export { main } from './cli/main';
export { readModel } from './model/reader';
export { verifyModel } from './model/verify';
export { builtinName } from './model/names';
export { planMemory } from './runtime/planner';
export * as ota from './ota/bundle';

/** The addon built by node-gyp at `npm install` (build/Release/tinyml.node, next to dist/). */
export function loadAddon(): NativeModule {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(path.join(__dirname, '..', 'build', 'Release', 'tinyml.node')) as NativeModule;
}

setNative(loadAddon());
