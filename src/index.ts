// The full device bundle (dist/tinyml.device.js, global `tinyml`): the device
// core plus the on-device planner add-on, so raw .tflite models load too.
import { setPlanner } from './core/interpreter';
import { planner } from './planner/pack';

export * from './device-core';
export { packSection, packModel } from './planner/pack';

setPlanner(planner);
