/* tinyml_image.c - reads the file table of a tinyml flash image. */
#include <string.h>

#include "tinyml_image.h"

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Entry count if the header is sound, else -1. */
static int64_t entry_count(const uint8_t *image, size_t image_size) {
  uint64_t count, table;
  if (image == NULL || image_size < TML_IMAGE_HEADER_BYTES) return -1;
  if (rd32(image) != TML_IMAGE_MAGIC || rd32(image + 4) != TML_IMAGE_VERSION) return -1;
  count = rd32(image + 8);
  table = TML_IMAGE_HEADER_BYTES + count * TML_IMAGE_ENTRY_BYTES;
  if (table > image_size || rd32(image + 12) > image_size) return -1;
  return (int64_t)count;
}

static tml_image_status check_entry(size_t image_size, const uint8_t *e) {
  uint64_t offset = rd32(e + TML_IMAGE_NAME_BYTES), size = rd32(e + TML_IMAGE_NAME_BYTES + 4);
  if (memchr(e, 0, TML_IMAGE_NAME_BYTES) == NULL) return TML_IMAGE_BAD_ENTRY;
  if (offset > image_size || size > image_size - offset) return TML_IMAGE_BAD_ENTRY;
  return TML_IMAGE_OK;
}

tml_image_status tml_image_check(const uint8_t *image, size_t image_size) {
  int64_t n = entry_count(image, image_size), i;
  if (n < 0) return TML_IMAGE_BAD_HEADER;
  for (i = 0; i < n; i++) {
    const uint8_t *e = image + TML_IMAGE_HEADER_BYTES + (size_t)i * TML_IMAGE_ENTRY_BYTES;
    if (check_entry(image_size, e) != TML_IMAGE_OK) return TML_IMAGE_BAD_ENTRY;
  }
  return TML_IMAGE_OK;
}

tml_image_status tml_image_find(const uint8_t *image, size_t image_size, const char *name,
                                const uint8_t **data, uint32_t *size) {
  int64_t n = entry_count(image, image_size), i;
  size_t len = strlen(name);
  if (n < 0) return TML_IMAGE_BAD_HEADER;
  if (len >= TML_IMAGE_NAME_BYTES) return TML_IMAGE_NOT_FOUND;
  for (i = 0; i < n; i++) {
    const uint8_t *e = image + TML_IMAGE_HEADER_BYTES + (size_t)i * TML_IMAGE_ENTRY_BYTES;
    if (memcmp(e, name, len + 1) != 0) continue;
    if (check_entry(image_size, e) != TML_IMAGE_OK) return TML_IMAGE_BAD_ENTRY;
    *data = image + rd32(e + TML_IMAGE_NAME_BYTES);
    *size = rd32(e + TML_IMAGE_NAME_BYTES + 4);
    return TML_IMAGE_OK;
  }
  return TML_IMAGE_NOT_FOUND;
}
