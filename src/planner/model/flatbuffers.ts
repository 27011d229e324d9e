// The read side of the FlatBuffers runtime, as the generated code in ./tflite
// uses it. The npm package's ByteBuffer builds a TextDecoder in its
// constructor and its 64-bit reads need BigInt; neither exists on
// JerryScript/Espruino, so this is a small ES5-safe replacement with the same
// method names (only those the generated readers call: the schema has no
// doubles, and reader.ts reads 64-bit fields as two 32-bit halves).
// Reads assume verifyModel() has checked the bytes first.

export type Offset = number;

export interface Table {
  bb: ByteBuffer | null;
  bb_pos: number;
}

export const enum Encoding {
  UTF8_BYTES = 1,
  UTF16_STRING = 2,
}

export const SIZEOF_INT = 4;
export const FILE_IDENTIFIER_LENGTH = 4;

let i32: Int32Array | null = null;
let f32: Float32Array | null = null;

let decoder: TextDecoder | null = null;

/** UTF-8 to a JS string; TextDecoder when the engine has one, else a loop. */
export function utf8(b: Uint8Array, start: number, end: number): string {
  if (typeof TextDecoder !== 'undefined') {
    if (!decoder) decoder = new TextDecoder();
    return decoder.decode(b.subarray(start, end));
  }
  let s = '';
  let i = start;
  while (i < end) {
    let c = b[i++];
    let need = 0;
    if (c < 0x80) {
      // ASCII
    } else if (c < 0xc0 || c >= 0xf8) {
      c = 0xfffd; // stray continuation or invalid lead byte
    } else if (c < 0xe0) {
      need = 1;
      c &= 31;
    } else if (c < 0xf0) {
      need = 2;
      c &= 15;
    } else {
      need = 3;
      c &= 7;
    }
    while (need > 0) {
      if (i >= end || (b[i] & 0xc0) !== 0x80) {
        c = 0xfffd;
        break;
      }
      c = (c << 6) | (b[i++] & 63);
      need--;
    }
    if (c > 0x10ffff) c = 0xfffd;
    if (c > 0xffff) {
      c -= 0x10000;
      s += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023));
    } else {
      s += String.fromCharCode(c);
    }
  }
  return s;
}

export class ByteBuffer {
  private position_ = 0;

  constructor(private bytes_: Uint8Array) {}

  bytes(): Uint8Array {
    return this.bytes_;
  }

  position(): number {
    return this.position_;
  }

  readInt8(offset: number): number {
    return (this.bytes_[offset] << 24) >> 24;
  }

  readUint8(offset: number): number {
    return this.bytes_[offset];
  }

  readInt16(offset: number): number {
    return (this.readUint16(offset) << 16) >> 16;
  }

  readUint16(offset: number): number {
    return this.bytes_[offset] | (this.bytes_[offset + 1] << 8);
  }

  readInt32(offset: number): number {
    const b = this.bytes_;
    return b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16) | (b[offset + 3] << 24);
  }

  readUint32(offset: number): number {
    return this.readInt32(offset) >>> 0;
  }

  readFloat32(offset: number): number {
    if (!i32) {
      i32 = new Int32Array(1);
      f32 = new Float32Array(i32.buffer);
    }
    i32[0] = this.readInt32(offset);
    return f32![0];
  }

  /** Position of a field inside the table at bb_pos, 0 when absent. */
  __offset(bb_pos: number, vtable_offset: number): Offset {
    const vtable = bb_pos - this.readInt32(bb_pos);
    return vtable_offset < this.readInt16(vtable) ? this.readInt16(vtable + vtable_offset) : 0;
  }

  __union(t: Table, offset: number): Table {
    t.bb_pos = offset + this.readInt32(offset);
    t.bb = this;
    return t;
  }

  __string(offset: number, opt_encoding?: Encoding): string | Uint8Array {
    offset += this.readInt32(offset);
    const length = this.readInt32(offset);
    offset += SIZEOF_INT;
    if (opt_encoding === Encoding.UTF8_BYTES) return this.bytes_.subarray(offset, offset + length);
    return utf8(this.bytes_, offset, offset + length);
  }

  __indirect(offset: Offset): Offset {
    return offset + this.readInt32(offset);
  }

  __vector(offset: Offset): Offset {
    return offset + this.readInt32(offset) + SIZEOF_INT;
  }

  __vector_len(offset: Offset): Offset {
    return this.readInt32(offset + this.readInt32(offset));
  }

  __has_identifier(ident: string): boolean {
    for (let i = 0; i < FILE_IDENTIFIER_LENGTH; i++) {
      if (ident.charCodeAt(i) !== this.bytes_[this.position_ + SIZEOF_INT + i]) return false;
    }
    return true;
  }
}
