// `tinyml ota ...` (Node only): keygen, pack, inspect, verify.
import * as fs from 'fs';
import { TinyMLError } from '../core/errors';
import { generateKeyPair, packBuildDir, readBundle, BundleInfo } from './bundle';
import { parseVersion } from './codes';

export const OTA_HELP = `  tinyml ota keygen <name>
      Writes an Ed25519 key pair: <name>.key (private, PKCS#8 PEM, mode 600)
      and <name>.pub (public, SPKI PEM). Keep the private key out of any repository.
  tinyml ota pack <build dir> --key <name.key> --version <n|a.b.c> [--out <file>]
      Signs the build directory (app, models, other files, build.json) as an
      update bundle (default <build dir>.tmlota).
  tinyml ota inspect <bundle> [--pub <name.pub>] [--json]
  tinyml ota verify <bundle> --pub <name.pub> [--board <name>]
      Header, files and hashes; verify also checks the signature (exit 1 if bad).
`;

function usage(msg: string): never {
  throw new OtaUsage(msg);
}

export class OtaUsage extends Error {}

function readOr(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    return usage('cannot read ' + what + ' ' + file + ': ' + (e as NodeJS.ErrnoException).code);
  }
}

function describe(b: BundleInfo): string {
  const lines = [
    'bundle: ' + b.total + ' bytes, version ' + b.versionText + ' (' + b.version + '), board ' + b.board + ', key id ' + b.keyId,
    'signature: ' + (b.signatureVerified ? 'verified' : 'not checked (give --pub)'),
    'manifest sha256 ' + b.manifestSha256,
  ];
  b.files.forEach((f) => lines.push('  ' + (f.app ? 'app ' : '    ') + f.name + '  ' + f.size + ' bytes  sha256 ' + f.sha256));
  return lines.join('\n') + '\n';
}

/** Runs `tinyml ota <argv>`; returns the exit code. Throws TinyMLError or OtaUsage. */
export function otaMain(positional: string[], flags: { [k: string]: string | boolean }): number {
  const sub = positional[1];
  const str = (name: string): string | undefined => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  if (sub === 'keygen') {
    const name = positional[2];
    if (!name) usage('usage: tinyml ota keygen <name>');
    const k = generateKeyPair();
    if (fs.existsSync(name + '.key')) usage(name + '.key exists: not overwriting a key');
    fs.writeFileSync(name + '.key', k.privatePem, { mode: 0o600 });
    fs.writeFileSync(name + '.pub', k.publicPem);
    process.stdout.write('wrote ' + name + '.key (private) and ' + name + '.pub (public)\n');
    return 0;
  }
  if (sub === 'pack') {
    const dir = positional[2];
    const key = str('key');
    const vText = str('version');
    if (!dir || !key) usage('usage: tinyml ota pack <build dir> --key <name.key> --version <v> [--out <file>]');
    let v: number | undefined;
    if (vText !== undefined) {
      v = parseVersion(vText);
      if (v < 0) usage('--version must be an integer from 1 or a.b.c, got ' + vText);
    }
    const bundle = packBuildDir(dir, readOr(key, 'private key'), v);
    const out = str('out') || dir.replace(/[\/\\]+$/, '') + '.tmlota';
    fs.writeFileSync(out, bundle);
    process.stdout.write('wrote ' + out + '\n' + describe(readBundle(bundle)));
    return 0;
  }
  if (sub === 'inspect' || sub === 'verify') {
    const file = positional[2];
    const pub = str('pub');
    if (!file || (sub === 'verify' && !pub)) usage('usage: tinyml ota ' + sub + ' <bundle> ' + (sub === 'verify' ? '--pub <name.pub>' : '[--pub <name.pub>]'));
    const info = readBundle(readOr(file, 'bundle'), pub ? readOr(pub, 'public key') : undefined);
    const board = str('board');
    if (board !== undefined && board !== info.board) throw new TinyMLError('E_OTA_FOREIGN_BOARD', 'the bundle is for board ' + info.board + ', not ' + board);
    if (flags.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    else process.stdout.write(describe(info) + (sub === 'verify' ? 'verify: OK\n' : ''));
    return 0;
  }
  return usage('unknown ota command "' + (sub || '') + '" (keygen, pack, inspect, verify)');
}
