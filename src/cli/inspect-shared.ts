// `tinyml inspect a.tflite b.tflite ...`: the shared arena of several models
// (allocateShared's layout) next to their separate arenas.
import * as path from 'path';
import { PreparedModel } from '../planner/prepare';
import { sectionOf, modelPart } from '../planner/pack';
import { sharedLayout } from '../app/shared';

export function inspectShared(files: string[], models: Uint8Array[], json: boolean): string {
  const sections = models.map(function (m) {
    const s = sectionOf(new PreparedModel(modelPart(m)));
    return new Int32Array(s.buffer, s.byteOffset, s.length >> 2);
  });
  const layout = sharedLayout(sections);
  const each = files.map(function (f, i) {
    return { model: path.basename(f), arenaBytes: sections[i][11], at: layout.at[i], sharedAt: layout.sharedAt[i] };
  });
  if (json) {
    return JSON.stringify({ models: each, shared: { usedBytes: layout.usedBytes, arenaBytes: layout.arenaBytes,
      separateBytes: layout.separateBytes } }, null, 1);
  }
  const lines = each.map(function (e) { return e.model + ': arena ' + e.arenaBytes + ' bytes alone'; });
  lines.push('shared arena: ' + layout.arenaBytes + ' bytes (' + layout.usedBytes + ' in use + up to 15 to align the block) vs ' +
    layout.separateBytes + ' separate (' + Math.round(100 * (1 - layout.arenaBytes / layout.separateBytes)) + '% less)');
  return lines.join('\n');
}
