// RESIZE_NEAREST_NEIGHBOR (TFLM reference): the source row of every output
// row and the source column of every output column, computed here in
// float32 exactly as GetNearestNeighbor does; the kernel copies pixels.
import { DType } from '../model/types';
import { BuiltinOptions, readOptions, ResizeNearestNeighborOptions } from '../model/options';
import { OpPrepare } from './types';
import { fround, roundHalfAway } from './quant';
import { check, constInts, elemSize, expectShape, input, io, sameType } from './movement';

function nearest(x: number, inSize: number, outSize: number, align: boolean, half: boolean): number {
  const scale = fround(align && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize);
  const v = fround((x + (half ? 0.5 : 0)) * scale);
  const r = Math.min(align ? roundHalfAway(v) : Math.floor(v), inSize - 1);
  return half ? Math.max(0, r) : r;
}

export const prepareResizeNearestNeighbor: OpPrepare = function (ctx) {
  io(ctx, 2, 1);
  const inp = input(ctx, 0);
  const sizeT = input(ctx, 1);
  const out = ctx.output(0);
  check(ctx, inp, [DType.FLOAT32, DType.INT8, DType.INT16]);
  sameType(ctx, inp, out);
  const s = inp.shape;
  if (s.length !== 4) ctx.invalid('input tensor ' + inp.index + ' is not 4D');
  const size = constInts(ctx, sizeT, false);
  if (sizeT.shape.length !== 1 || size.length !== 2) ctx.invalid('size tensor ' + sizeT.index + ' is not 2 values');
  expectShape(ctx, out, [s[0], size[0], size[1], s[3]]);
  check(ctx, out);
  const o = readOptions(ctx.model, ctx.op, new ResizeNearestNeighborOptions(), BuiltinOptions.ResizeNearestNeighborOptions);
  const align = o ? o.alignCorners() : false;
  const half = o ? o.halfPixelCenters() : false;
  const params = [s[0], s[1], s[2], size[0], size[1], s[3] * elemSize(inp.dtype)];
  for (let y = 0; y < size[0]; y++) params.push(nearest(y, s[1], size[0], align, half));
  for (let x = 0; x < size[1]; x++) params.push(nearest(x, s[2], size[1], align, half));
  return { kind: 62, inputs: [inp.index], outputs: [out.index], params: params };
};
