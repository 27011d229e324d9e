/* packed.c - loading a packed model: the op program planned on the host and
 * appended to the .tflite file (format in tinyml.h). Everything in the
 * section is checked before its program reaches tml_load, which then checks
 * the program itself as it checks any other. */
#include <string.h>

#include "internal.h"

/* Which check refused a section (TML_INFO_ERR_DETAIL of TML_E_BAD_PACK). */
enum {
  PACK_NONE = 0,      /* no footer magic: not a packed file */
  PACK_FOOTER = 1,    /* footer offset outside the file or not aligned */
  PACK_HEADER = 2,    /* section shorter than its header, or header magic wrong */
  PACK_LENGTH = 3,    /* section word count differs from its bytes */
  PACK_HASH = 4,      /* section bytes changed since packing */
  PACK_PARTS = 5,     /* program or meta outside the section */
  PACK_ALIGN = 6      /* section not 4-byte aligned in memory */
};

static uint32_t word_at(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t tml_pack_hash(const uint8_t *bytes, uint32_t size, int32_t skip_word) {
  uint32_t h = 0x811C9DC5u, i, whole = size / 4u;
  for (i = 0; i < whole; i++) {
    uint32_t w;
    memcpy(&w, bytes + 4u * i, 4); /* one load on little-endian targets */
    if ((int32_t)i == skip_word) w = 0;
    h = (h ^ w) * 0x01000193u;
  }
  if (size % 4u != 0) {
    uint8_t tail[4] = {0, 0, 0, 0};
    memcpy(tail, bytes + 4u * whole, size % 4u);
    h = (h ^ word_at(tail)) * 0x01000193u;
  }
  return h;
}

/* 1 if [offset, offset + words) lies inside a section of n words. */
static int inside(int32_t offset, int32_t words, uint32_t n) {
  return offset >= TML_PACK_HEADER_WORDS && words >= 0 && (uint32_t)offset <= n &&
         (uint32_t)words <= n - (uint32_t)offset;
}

tml_status tml_load_packed(uint8_t *block, uint32_t block_size, const uint8_t *model,
                           uint32_t model_size, const uint8_t *section, uint32_t section_size) {
  return tml_load_packed_shared(block, block_size, 0, model, model_size, section, section_size);
}

tml_status tml_load_packed_shared(uint8_t *block, uint32_t block_size, uint32_t shared_at,
                                  const uint8_t *model, uint32_t model_size,
                                  const uint8_t *section, uint32_t section_size) {
  const int32_t *w;
  int32_t program_at, program_words;
  uint32_t n;
  const int in_file = section == NULL;
  if (model == NULL && model_size != 0) return tml_block_fail(block, block_size, TML_E_BAD_ARG, 0);
  if (in_file) {
    uint32_t at;
    /* A packed file: the footer's last words name where the section starts. */
    if (model_size < 4u * TML_PACK_FOOTER_WORDS ||
        word_at(model + model_size - 4) != TML_PACK_MAGIC)
      return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_NONE);
    at = word_at(model + model_size - 8);
    if (at % 16u != 0 || at > model_size - 4u * TML_PACK_FOOTER_WORDS)
      return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_FOOTER);
    section = model + at;
    section_size = model_size - at;
    model_size = at; /* the model proper ends before the pad, checked below */
  }
  if (((uintptr_t)section & 3u) != 0)
    return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_ALIGN);
  w = (const int32_t *)(const void *)section;
  n = section_size / 4u;
  if (section_size % 4u != 0 || n < TML_PACK_HEADER_WORDS + TML_PACK_FOOTER_WORDS ||
      (uint32_t)w[TML_PACK_W_MAGIC] != TML_PACK_MAGIC)
    return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_HEADER);
  if (w[TML_PACK_W_VERSION] != TML_PACK_VERSION)
    return tml_block_fail(block, block_size, TML_E_PACK_VERSION, w[TML_PACK_W_VERSION]);
  if (w[TML_PACK_W_RUNTIME] != TML_PROGRAM_VERSION)
    return tml_block_fail(block, block_size, TML_E_PACK_VERSION, w[TML_PACK_W_RUNTIME]);
  if ((uint32_t)w[TML_PACK_W_WORDS] != n || (uint32_t)w[n - 1] != TML_PACK_MAGIC)
    return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_LENGTH);
  if (tml_pack_hash(section, section_size, TML_PACK_W_HASH) != (uint32_t)w[TML_PACK_W_HASH])
    return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_HASH);
  /* Read once: what was checked is what is used, even if the bytes change
   * meanwhile (a model on memory another thread writes). */
  program_at = w[TML_PACK_W_PROGRAM];
  program_words = w[TML_PACK_W_PROGRAM_WORDS];
  if (!inside(program_at, program_words, n - TML_PACK_FOOTER_WORDS) ||
      !inside(w[TML_PACK_W_META], w[TML_PACK_W_META_WORDS], n - TML_PACK_FOOTER_WORDS))
    return tml_block_fail(block, block_size, TML_E_BAD_PACK, PACK_PARTS);
  /* The model: its size (inside a file, within the pad before the section)
   * and its hash. */
  {
    uint32_t m = (uint32_t)w[TML_PACK_W_MODEL_BYTES];
    if (w[TML_PACK_W_MODEL_BYTES] < 0 || (in_file ? m > model_size || model_size - m >= 16u
                                                  : m != model_size))
      return tml_block_fail(block, block_size, TML_E_PACK_MISMATCH, 0);
    if (tml_pack_hash(model, m, -1) != (uint32_t)w[TML_PACK_W_MODEL_HASH])
      return tml_block_fail(block, block_size, TML_E_PACK_MISMATCH, 1);
    model_size = m;
  }
  return tml_load_shared(block, block_size, shared_at, model, model_size, w + program_at,
                         (uint32_t)program_words);
}
