// OTA status codes, in the order of ota_status in native/ota/ota.h (index =
// the C value). Device and host both report them as TinyMLError codes.
import { ErrorCode } from '../core/errors';

export const OTA_CODES: ErrorCode[] = [
  'E_OTA_ARG', // 0 is OK in C; never thrown, kept so indexes match
  'E_OTA_ARG',
  'E_OTA_STATE',
  'E_OTA_BUSY',
  'E_OTA_TOO_BIG',
  'E_OTA_SIZE',
  'E_OTA_BAD_MAGIC',
  'E_OTA_BAD_FORMAT',
  'E_OTA_BAD_HEADER',
  'E_OTA_FOREIGN_BOARD',
  'E_OTA_FOREIGN_KEY',
  'E_OTA_DOWNGRADE',
  'E_OTA_OUT_OF_ORDER',
  'E_OTA_DUPLICATE',
  'E_OTA_TOO_LONG',
  'E_OTA_TRUNCATED',
  'E_OTA_BAD_SIGNATURE',
  'E_OTA_MANIFEST_HASH',
  'E_OTA_BAD_MANIFEST',
  'E_OTA_FILE_HASH',
  'E_OTA_FLASH',
  'E_OTA_NO_IMAGE',
  'E_OTA_NOT_FOUND',
];

export const OTA_MESSAGES: string[] = [
  'ok',
  'bad argument',
  'out of sequence (begin() first)',
  'a new version is pending or on trial: reboot or confirm() first',
  'the bundle is larger than a slot',
  'the size does not match the bundle header',
  'not an update bundle (bad magic)',
  'unknown bundle format version',
  'inconsistent bundle header',
  'the bundle is for another board',
  'the bundle is signed with a key this device does not trust',
  'the bundle is not newer than the running version',
  'a chunk arrived past the next expected offset',
  'a chunk repeats bytes already received',
  'a chunk goes past the announced size',
  'the bundle ended before its announced size',
  'the signature does not verify',
  'the manifest does not match its signed hash',
  'malformed manifest',
  'a file does not match its hash in the manifest',
  'flash operation failed',
  'no bootable version',
  'no such file',
];

/** Version numbers: an integer, or "a.b.c" as a*1000000 + b*1000 + c. */
export function parseVersion(s: string): number {
  let m = /^(\d+)$/.exec(s);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 0xffffffff) return Number(m[1]);
  m = /^(\d{1,4})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m) {
    const v = Number(m[1]) * 1000000 + Number(m[2]) * 1000 + Number(m[3]);
    if (v >= 1 && v <= 0xffffffff) return v;
  }
  return -1;
}

export function formatVersion(v: number): string {
  if (v < 1000000) return String(v);
  return Math.floor(v / 1000000) + '.' + (Math.floor(v / 1000) % 1000) + '.' + (v % 1000);
}
