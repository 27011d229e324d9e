// What every board gives device code: the global `board`. Same shape on the
// host simulation, Duktape, the emulated M4, JerryScript and Espruino; each
// board implements it in its thin C/JS layer. Documented in docs/board-api.md.
// Apps get these types with `"types": ["tinyml-ts/board"]` in tsconfig.json.

/** The board API (see docs/board-api.md). */
interface TinyMLBoard {
  /** The board's name from its board.json ("host", "qemu-m4", "esp32", ...). */
  readonly name: string;
  /** Writes the arguments, separated by spaces, and a newline to the board's console. */
  print(...args: any[]): void;
  /**
   * A file built into the image (`tinyml build --file name=path`), or null if
   * there is none by that name. Read-only: where the board has memory-mapped
   * flash the array is over the flash itself (no copy).
   */
  file(name: string): Uint8Array | null;
  /** Milliseconds since the board started (wraps at 2^32 on 32-bit boards). */
  millis(): number;
  /**
   * Calls `fn` every `periodMs` milliseconds after the app's top level has
   * run, until `fn` throws or `exit()` is called. One loop per app: a second
   * call replaces the first.
   */
  loop(fn: () => void, periodMs: number): void;
  /** Arguments given to the run (`tinyml emulate <dir> -- args...`); [] on real boards. */
  readonly args: string[];
  /** Stops the app; on emulated boards `code` becomes the exit status (default 0). */
  exit(code?: number): void;
  /**
   * Bytes the host hands in at run time under `name` (a file on the host,
   * semihosting on qemu-m4), or null when none was given or the board has no
   * host link. Unlike file(), always a copy in RAM.
   */
  input(name: string): Uint8Array | null;
  /**
   * Hands `bytes` to the host under `name` (a file on the host, semihosting
   * on qemu-m4). Returns false, and does nothing, on a board without a host link.
   */
  output(name: string, bytes: Uint8Array): boolean;
}

declare const board: TinyMLBoard;
