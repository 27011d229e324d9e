// The app commands of `tinyml` (Node only): build, emulate, init, and the fit
// prediction `inspect --board` prints. The work is done in tools/ (plain
// CommonJS shipped with the package, so `tinyml-ts/rollup` shares it).
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function tool(name: string): any {
  return require(path.join(ROOT, 'tools', name + '.js'));
}

export const APP_HELP = `  tinyml build <app.ts> --board <name> [--file name=path]... [--arena bytes] [--out dir]
      Bundles the app (TypeScript, ES5) after the device core, packs its
      models (--file *.tflite), writes <out>/app.js, files/, build.json (and
      firmware.elf for qemu-m4; tinyml.img, the flash partition image, for
      esp32; upload.js, a Storage upload script, for nrf52840; default out:
      build/<board> next to the app), prints flash and RAM against
      boards/<name>/board.json and refuses an image that does not fit.
      Boards: host, qemu-m4, esp32, nrf52840. --arena: the board's arena
      block (default: the models' arenas added up; give less for models
      that share one (allocateShared), more for models loaded at run time).
      --kernels reference|optimized|cmsis-nn (qemu-m4): the kernel backend
      (default: the board's, boards/qemu-m4/board.json).
  tinyml emulate <dir> [--board host|duktape|qemu-m4] [--profile] [-- args...]
      Runs a built app with the board API (docs/board-api.md): print() to
      stdout, its exit code. --profile (qemu-m4): per-op instructions of every
      invoke on stderr. Also --board jerryscript (TINYML_JERRYSCRIPT_DIR) and
      --board espruino (TINYML_ESPRUINO_DIR): engine builds made as in
      boards/README.md.
  tinyml init <dir>
      A starter app: app.ts, tsconfig.json, package.json (scripts build:host,
      build:qemu, emulate:*), README.
`;

interface AppArgs { positional: string[]; flags: { [k: string]: string | boolean }; files: string[]; rest: string[] }

export class AppUsageError extends Error {}

function parse(argv: string[]): AppArgs {
  const a: AppArgs = { positional: [], flags: {}, files: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--') {
      a.rest = argv.slice(i + 1);
      break;
    }
    if (s === '--profile' || s === '--json' || s === '--stats') a.flags[s.slice(2)] = true;
    else if (s.slice(0, 2) === '--') {
      const eq = s.indexOf('=');
      const name = eq > 0 ? s.slice(2, eq) : s.slice(2);
      let v: string;
      if (eq > 0) v = s.slice(eq + 1);
      else if (i + 1 < argv.length) v = argv[++i];
      else throw new AppUsageError('option ' + s + ' needs a value');
      if (name === 'file') a.files.push(v);
      else a.flags[name] = v;
    } else a.positional.push(s);
  }
  return a;
}

function progress(line: string): void {
  process.stderr.write(line + '\n');
}

/** Runs build / emulate / init; the exit code. Errors become one line "tinyml: ...". */
export async function appCommand(cmd: string, argv: string[]): Promise<number> {
  try {
    const a = parse(argv);
    if (cmd === 'build') {
      if (a.positional.length !== 1 || typeof a.flags.board !== 'string') {
        throw new AppUsageError('usage: tinyml build <app.ts> --board <name> [--file name=path]... [--arena bytes] [--out dir]');
      }
      await tool('build').build({ app: a.positional[0], board: a.flags.board, files: a.files, out: a.flags.out, arena: a.flags.arena, kernels: a.flags.kernels, log: progress });
      return 0;
    }
    if (cmd === 'emulate') {
      if (a.positional.length !== 1) throw new AppUsageError('usage: tinyml emulate <dir> [--board host|duktape|qemu-m4] [--profile] [-- args...]');
      return tool('emulate').emulate(a.positional[0], { board: a.flags.board, profile: !!a.flags.profile, stats: !!a.flags.stats, args: a.rest });
    }
    if (cmd === 'init') {
      if (a.positional.length !== 1) throw new AppUsageError('usage: tinyml init <dir>');
      tool('init').init(a.positional[0], progress);
      return 0;
    }
    throw new AppUsageError('unknown command ' + cmd);
  } catch (e) {
    const known = e instanceof AppUsageError || (e && /^(BuildError|EmulateError|InitError)$/.test((e as Error).constructor.name));
    process.stderr.write('tinyml: ' + (e instanceof Error ? e.message : String(e)) + '\n');
    return known ? (e instanceof AppUsageError ? 2 : 1) : 70;
  }
}

/** `inspect --board`: the model alone with the device core on that board; lines and whether it fits. */
export function inspectFit(boardName: string, model: { arenaBytes: number; inputs: number; outputs: number }, fileBytes: number): { lines: string[]; fits: boolean; fit: unknown } {
  const board = tool('build').boardJson(boardName);
  const fitter = tool('fit');
  const bundleBytes = fs.statSync(path.join(ROOT, 'dist', 'tinyml.core.js')).size;
  const res = fitter.fit(board, { bundleBytes: bundleBytes, models: [model], fileBytes: fileBytes, firmware: null });
  const lines = fitter.report(board, res).split('\n');
  if (!res.fits) lines.push(fitter.refusal(board, res));
  return { lines: lines, fits: res.fits, fit: res };
}
