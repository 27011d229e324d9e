/*
 * tinyml_image.h - the flash image a board reads its app and models from.
 *
 * One partition holds a tiny read-only file table, written by
 * boards/esp32/mkimage.js (all numbers little-endian):
 *
 *   header   16 bytes  magic "TMLI", version 1, file count, total bytes
 *   entries  64 bytes each: name (48 bytes, NUL-padded, NUL-terminated),
 *            offset (from the image start), size, two reserved words
 *   data     each file 16-byte aligned, so snapshots run in place and
 *            model tensors keep their alignment
 *
 * The image is memory-mapped, never copied: models stay in flash, and a
 * JerryScript snapshot executes from flash.
 */
#ifndef TINYML_IMAGE_H
#define TINYML_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define TML_IMAGE_MAGIC 0x494C4D54u /* "TMLI" */
#define TML_IMAGE_VERSION 1u
#define TML_IMAGE_HEADER_BYTES 16u
#define TML_IMAGE_ENTRY_BYTES 64u
#define TML_IMAGE_NAME_BYTES 48u

typedef enum {
  TML_IMAGE_OK = 0,
  TML_IMAGE_BAD_HEADER = 1, /* wrong magic/version, or the table does not fit */
  TML_IMAGE_BAD_ENTRY = 2,  /* a name without NUL, or a file outside the image */
  TML_IMAGE_NOT_FOUND = 3
} tml_image_status;

/* Checks the whole table once (every entry inside the image). */
tml_image_status tml_image_check(const uint8_t *image, size_t image_size);

/* Finds `name`; *data and *size then describe the file (inside the image). */
tml_image_status tml_image_find(const uint8_t *image, size_t image_size, const char *name,
                                const uint8_t **data, uint32_t *size);

#endif /* TINYML_IMAGE_H */
