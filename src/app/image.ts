// Images for vision models: uncompressed BMP reading, crop/scale and the
// conversion of 8-bit grayscale pixels to a model's input. Pixel buffers are
// row-major, top row first, `channels` bytes per pixel; nothing allocates
// except readBmp.
import { fail } from '../core/errors';
import { Writable, copyInto, needArray, needInt, needNumber, needSpan } from './util';
import { checkScale, highOf, lowOf, quantizeOne, scaleToF32 } from './quant';

export interface Image {
  width: number;
  height: number;
  /** 1 (gray) or 3 (R, G, B). */
  channels: number;
  data: Uint8Array;
}

function u16(b: Uint8Array, p: number): number { return b[p] | (b[p + 1] << 8); }
function i32(b: Uint8Array, p: number): number { return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24); }

/**
 * Reads an uncompressed BMP: 8-bit palette or 24-bit, bottom-up or top-down.
 * A palette whose colours are all gray gives a 1-channel image of the
 * palette's gray levels; any other palette and 24-bit give R, G, B.
 */
export function readBmp(bytes: Uint8Array): Image {
  needArray('BMP bytes', bytes);
  const n = bytes.length;
  if (n < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) fail('E_BAD_INPUT', 'not a BMP file (no "BM" header)');
  const dataAt = i32(bytes, 10), headerSize = i32(bytes, 14);
  if (headerSize < 40) fail('E_BAD_INPUT', 'BMP header of ' + headerSize + ' bytes is not supported (need BITMAPINFOHEADER or later)');
  const width = i32(bytes, 18), rawHeight = i32(bytes, 22);
  const planes = u16(bytes, 26), bpp = u16(bytes, 28), compression = i32(bytes, 30);
  const height = rawHeight < 0 ? -rawHeight : rawHeight;
  if (planes !== 1) fail('E_BAD_INPUT', 'BMP has ' + planes + ' planes');
  if (bpp !== 8 && bpp !== 24) fail('E_BAD_INPUT', 'BMP has ' + bpp + ' bits per pixel (only 8-bit palette and 24-bit)');
  if (compression !== 0) fail('E_BAD_INPUT', 'BMP compression ' + compression + ' is not supported (only uncompressed)');
  if (width < 1 || height < 1 || width > 32768 || height > 32768) fail('E_BAD_INPUT', 'BMP size ' + width + 'x' + rawHeight);
  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  if (dataAt < 14 + headerSize || dataAt + stride * height > n) {
    fail('E_BAD_INPUT', 'BMP pixels (' + stride * height + ' bytes at ' + dataAt + ') do not fit in ' + n + ' bytes');
  }
  let channels = 3;
  let palette = 0, colours = 0, identity = false;
  const gray = new Uint8Array(256);
  if (bpp === 8) {
    colours = i32(bytes, 46);
    if (colours === 0) colours = 256;
    palette = 14 + headerSize;
    if (colours > 256 || palette + 4 * colours > dataAt) fail('E_BAD_INPUT', 'BMP palette of ' + colours + ' colours does not fit');
    channels = 1;
    identity = colours === 256;
    for (let c = 0; c < colours; c++) {
      const q = palette + 4 * c; // B, G, R, reserved
      if (bytes[q] !== bytes[q + 1] || bytes[q + 1] !== bytes[q + 2]) channels = 3;
      gray[c] = bytes[q];
      if (bytes[q] !== c) identity = false;
    }
  }
  const data = new Uint8Array(width * height * channels);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const row = dataAt + stride * (rawHeight < 0 ? y : height - 1 - y);
    if (bpp === 24) {
      for (let x = 0; x < width; x++) {
        const q = row + 3 * x;
        data[o++] = bytes[q + 2];
        data[o++] = bytes[q + 1];
        data[o++] = bytes[q];
      }
    } else if (identity && channels === 1) {
      // Gray levels 0..255 in order: the row is the pixels (one native copy).
      copyInto(bytes, row, data, o, width);
      o += width;
    } else {
      for (let x = 0; x < width; x++) {
        const index = bytes[row + x];
        if (index >= colours) fail('E_BAD_INPUT', 'BMP pixel (' + x + ',' + y + ') uses colour ' + index + ' of ' + colours);
        if (channels === 1) {
          data[o++] = gray[index];
        } else {
          const q = palette + 4 * index;
          data[o++] = bytes[q + 2];
          data[o++] = bytes[q + 1];
          data[o++] = bytes[q];
        }
      }
    }
  }
  return { width: width, height: height, channels: channels, data: data };
}

/**
 * R, G, B pixels to gray with the ITU-R 601 weights in 16-bit fixed point
 * (0.299, 0.587, 0.114; a gray R=G=B pixel keeps its value).
 */
export function rgbToGray(src: ArrayLike<number>, dst: Writable, pixels: number, srcOffset?: number, dstOffset?: number): void {
  const s = srcOffset === undefined ? 0 : srcOffset, d = dstOffset === undefined ? 0 : dstOffset;
  needInt('pixels', pixels, 0, 0x7fffffff);
  needSpan('rgbToGray source', src, s, 3 * pixels);
  needSpan('rgbToGray destination', dst, d, pixels);
  for (let i = 0; i < pixels; i++) {
    const p = s + 3 * i;
    dst[d + i] = (src[p] * 19595 + src[p + 1] * 38470 + src[p + 2] * 7471 + 32768) >> 16;
  }
}

// One float32 cell: TFLM computes nearest-neighbour source indices in float32.
const f32 = new Float32Array(1);
// Per destination column: source offsets and weights, computed once per call.
// Grown on demand, so a steady stream of same-size frames allocates nothing.
let columns = new Int32Array(0);

function columnTable(n: number): Int32Array {
  if (columns.length < n) columns = new Int32Array(n);
  return columns;
}

/**
 * Scales the region (x, y, w, h) of a width x height image with `channels`
 * bytes per pixel into dst (dstWidth x dstHeight, same channels).
 * 'nearest' picks source pixels exactly as TFLM's RESIZE_NEAREST_NEIGHBOR
 * with half_pixel_centers; 'bilinear' interpolates between the four nearest
 * pixel centres (half-pixel centres, edges clamped) in exact integer
 * arithmetic, rounding halves up. A region of the destination's size is a
 * plain crop in either mode.
 */
export function resizeRegion(src: ArrayLike<number>, width: number, height: number, channels: number,
  x: number, y: number, w: number, h: number,
  dst: Writable, dstWidth: number, dstHeight: number, mode: 'nearest' | 'bilinear'): void {
  needInt('width', width, 1, 32768);
  needInt('height', height, 1, 32768);
  needInt('channels', channels, 1, 4);
  needSpan('image source', src, 0, width * height * channels);
  needInt('region x', x, 0, width - 1);
  needInt('region y', y, 0, height - 1);
  needInt('region width', w, 1, width - x);
  needInt('region height', h, 1, height - y);
  needInt('destination width', dstWidth, 1, 32768);
  needInt('destination height', dstHeight, 1, 32768);
  needSpan('image destination', dst, 0, dstWidth * dstHeight * channels);
  if (mode !== 'nearest' && mode !== 'bilinear') fail('E_BAD_INPUT', 'resize mode must be "nearest" or "bilinear", got ' + String(mode));
  const rowBytes = width * channels;
  let o = 0;
  if (mode === 'nearest') {
    const col = columnTable(dstWidth);
    f32[0] = w / dstWidth;
    const sx = f32[0];
    for (let ox = 0; ox < dstWidth; ox++) {
      f32[0] = (ox + 0.5) * sx;
      col[ox] = (x + Math.min(Math.floor(f32[0]), w - 1)) * channels;
    }
    f32[0] = h / dstHeight;
    const sy = f32[0];
    for (let oy = 0; oy < dstHeight; oy++) {
      f32[0] = (oy + 0.5) * sy;
      const row = (y + Math.min(Math.floor(f32[0]), h - 1)) * rowBytes;
      if (channels === 1) {
        for (let ox = 0; ox < dstWidth; ox++) dst[o++] = src[row + col[ox]];
      } else {
        for (let ox = 0; ox < dstWidth; ox++) {
          const p = row + col[ox];
          for (let c = 0; c < channels; c++) dst[o++] = src[p + c];
        }
      }
    }
    return;
  }
  // Source coordinate of destination pixel i: ((2i+1)*w - dstWidth) / (2*dstWidth),
  // kept as an exact numerator over dx (likewise for rows). Columns: left
  // offset, right offset, right weight (of dx).
  const dx = 2 * dstWidth, dy = 2 * dstHeight, half = dx * dy / 2, whole = dx * dy;
  const col = columnTable(3 * dstWidth);
  for (let ox = 0; ox < dstWidth; ox++) {
    const nx = Math.min(Math.max((2 * ox + 1) * w - dstWidth, 0), (w - 1) * dx);
    const x0 = Math.floor(nx / dx);
    col[3 * ox] = (x + x0) * channels;
    col[3 * ox + 1] = (x + Math.min(x0 + 1, w - 1)) * channels;
    col[3 * ox + 2] = nx - x0 * dx;
  }
  for (let oy = 0; oy < dstHeight; oy++) {
    const ny = Math.min(Math.max((2 * oy + 1) * h - dstHeight, 0), (h - 1) * dy);
    const y0 = Math.floor(ny / dy), fy = ny - y0 * dy, gy = dy - fy;
    const r0 = (y + y0) * rowBytes, r1 = (y + Math.min(y0 + 1, h - 1)) * rowBytes;
    for (let ox = 0; ox < dstWidth; ox++) {
      const c0 = col[3 * ox], c1 = col[3 * ox + 1], fx = col[3 * ox + 2], gx = dx - fx;
      for (let c = 0; c < channels; c++) {
        const top = src[r0 + c0 + c] * gx + src[r0 + c1 + c] * fx;
        const bottom = src[r1 + c0 + c] * gx + src[r1 + c1 + c] * fx;
        dst[o++] = Math.floor((top * gy + bottom * fy + half) / whole);
      }
    }
  }
}

/** Scales a whole image: resizeRegion over (0, 0, width, height). */
export function resize(src: ArrayLike<number>, width: number, height: number, channels: number,
  dst: Writable, dstWidth: number, dstHeight: number, mode: 'nearest' | 'bilinear'): void {
  resizeRegion(src, width, height, channels, 0, 0, width, height, dst, dstWidth, dstHeight, mode);
}

/** Copies the region (x, y, w, h) to dst (w x h). */
export function crop(src: ArrayLike<number>, width: number, height: number, channels: number,
  x: number, y: number, w: number, h: number, dst: Writable): void {
  resizeRegion(src, width, height, channels, x, y, w, h, dst, w, h, 'nearest');
}

/**
 * 8-bit gray pixels to an int8 model input the common way: q = pixel - 128
 * (for inputs quantized with scale ~1/255 or 2/255 and zero point -128 or -1).
 */
export function grayToInt8(src: ArrayLike<number>, dst: Writable, srcOffset?: number, dstOffset?: number, length?: number): void {
  const s = srcOffset === undefined ? 0 : srcOffset, d = dstOffset === undefined ? 0 : dstOffset;
  needArray('grayToInt8 source', src);
  const n = length === undefined ? src.length - s : length;
  needSpan('grayToInt8 source', src, s, n);
  needSpan('grayToInt8 destination', dst, d, n);
  for (let i = 0; i < n; i++) dst[d + i] = src[s + i] - 128;
}

let grayTable: Int32Array | null = null; // made on first use

/**
 * 8-bit gray pixels (taken modulo 256) to a quantized input: pixel 0 means the real value `lo`,
 * 255 means `hi` (linear between), quantized with the input's scale, zero
 * point and dtype exactly as TFLM's QUANTIZE would (see quantize()).
 */
export function grayToQuantized(src: ArrayLike<number>, dst: Writable, scale: number, zeroPoint: number, dtype: number,
  lo: number, hi: number, srcOffset?: number, dstOffset?: number, length?: number): void {
  checkScale(scale, zeroPoint);
  const qlo = lowOf(dtype), qhi = highOf(dtype);
  needNumber('lo', lo);
  needNumber('hi', hi);
  const s = srcOffset === undefined ? 0 : srcOffset, d = dstOffset === undefined ? 0 : dstOffset;
  needArray('grayToQuantized source', src);
  const n = length === undefined ? src.length - s : length;
  needSpan('grayToQuantized source', src, s, n);
  needSpan('grayToQuantized destination', dst, d, n);
  // 256 gray levels, 256 quantizations; then one table lookup per pixel.
  const table = grayTable || (grayTable = new Int32Array(256));
  const s32 = scaleToF32(scale), step = (hi - lo) / 255;
  for (let g = 0; g < 256; g++) table[g] = quantizeOne(lo + g * step, s32, zeroPoint, qlo, qhi);
  for (let i = 0; i < n; i++) dst[d + i] = table[src[s + i] & 255];
}
