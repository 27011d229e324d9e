/*
 * tinyml.h - the engine-neutral C API of the tinyml-ts native module.
 *
 * TypeScript plans, C computes. The TypeScript runtime reads and verifies the
 * .tflite model, prepares every op (shapes, fixed-point multipliers, padding)
 * and plans the arena. It hands this layer one "op program" (an int32 array).
 * tml_load() checks every word of it against the arena and the model, copies
 * it into the arena and keeps nothing else: the arena is the only memory.
 *
 * Arena layout (all inside the caller's block, from its 16-byte aligned base):
 *
 *   [align pad][tml_ctx][planned section ........][program copy]
 *               ^ persistent      ^ activations,       ^ persistent
 *                                   offsets chosen
 *                                   by the TS planner
 *
 * Shared arenas (TFLM's multi-tenant arena): programs that run one after
 * another can share one block (tml_load_shared). Each keeps its context, the
 * part of its planned section that holds state (its "own part": offsets
 * [0, split), split = the end of its last state tensor rounded up to 16;
 * the planner puts state first) and its program copy side by side with the
 * others'; the rest of every planned section (activations, offsets
 * [split, planned_bytes)) lies in one shared region past all of them, which
 * each invoke may overwrite:
 *
 *   [pad][ctx A][A own][A program][ctx B][B own][B program][shared region]
 *         ^ A's block view from here ^ B's block view from here
 *
 * A program alone in its block owns its whole planned section (split =
 * planned_bytes), which gives the layout above.
 *
 * Op program (int32 words, little-endian host order):
 *   header   TML_HEADER_WORDS words: magic, version, n_tensors, n_ops,
 *            planned_bytes, total_words
 *   tensors  n_tensors records of TML_TENSOR_WORDS words:
 *            dtype (TFLite TensorType number), place, offset, bytes
 *            place = where (tml_where, low byte) | TML_STATE | fill << 16
 *            where == TML_ARENA: offset is relative to the planned section
 *            where == TML_MODEL: offset is relative to the model bytes
 *            TML_STATE (arena only): state that lives across invokes (variable
 *            tensors, op state); set to the fill byte at load and by tml_reset
 *   ops      n_ops records: kind, n_in, n_out, n_params,
 *            in[n_in], out[n_out], params[n_params]
 *            (tensor index -1 = optional input left out)
 */
#ifndef TINYML_H
#define TINYML_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TML_PROGRAM_MAGIC 0x314C4D54 /* "TML1" */
#define TML_PROGRAM_VERSION 1
#define TML_HEADER_WORDS 6
#define TML_TENSOR_WORDS 4
#define TML_OP_HEADER_WORDS 4
#define TML_ARENA_ALIGN 16

typedef enum {
  TML_OK = 0,
  TML_E_BAD_ARG = 1,          /* null pointer, negative size, wrong engine value */
  TML_E_BAD_PROGRAM = 2,      /* malformed op program (header, counts, lengths) */
  TML_E_ARENA_TOO_SMALL = 3,  /* detail = bytes needed */
  TML_E_BAD_INDEX = 4,        /* tensor index out of range; detail = index */
  TML_E_OUT_OF_BOUNDS = 5,    /* tensor data outside arena/model; detail = tensor */
  TML_E_UNSUPPORTED_OP = 6,   /* unknown kernel kind; detail = kind */
  TML_E_BAD_PARAMS = 7,       /* op parameters inconsistent with its tensors */
  TML_E_MISALIGNED = 8,       /* tensor data not aligned for its dtype; detail = tensor */
  TML_E_NOT_LOADED = 9,       /* invoke/info on an arena without a loaded program */
  TML_E_BAD_DTYPE = 10,       /* tensor dtype not what the kernel needs; detail = tensor */
  TML_E_READ_ONLY = 11,       /* op output lives in the model (read-only); detail = tensor */
  TML_E_BAD_DATA = 12,        /* invoke: an op met run-time data it cannot use (e.g. a GATHER
                                 index out of range); detail = op-specific count */
  TML_E_BAD_PACK = 13,        /* packed model: no pack, truncated or corrupt section; detail = check */
  TML_E_PACK_MISMATCH = 14,   /* packed for other model bytes (size or hash differ) */
  TML_E_PACK_VERSION = 15     /* packed for another pack format or runtime; detail = its version */
} tml_status;

/* TFLite TensorType numbering, so TypeScript passes the model's value through. */
typedef enum {
  TML_FLOAT32 = 0,
  TML_INT32 = 2,
  TML_UINT8 = 3,
  TML_INT64 = 4,
  TML_BOOL = 6,
  TML_INT16 = 7,
  TML_INT8 = 9,
  TML_UINT64 = 12, /* signal-library ops (filter bank sums) */
  TML_UINT32 = 15  /* signal-library ops (energies, channels) */
} tml_dtype;

typedef enum { TML_NONE = 0, TML_ARENA = 1, TML_MODEL = 2 } tml_where;

#define TML_PLACE_WHERE(place) ((place) & 0xFF)
#define TML_STATE 0x100
#define TML_PLACE_FILL(place) (((place) >> 16) & 0xFF)
#define TML_PLACE_KNOWN_BITS 0x00FF01FF

/* Kernel kinds: one per native kernel variant (TypeScript picks the variant). */
typedef enum {
  TML_K_COPY = 1,         /* RESHAPE/SQUEEZE/EXPAND_DIMS when not aliased */
  TML_K_FC_S8 = 2,
  TML_K_FC_F32 = 3,
  TML_K_CONV_S8 = 4,
  TML_K_CONV_F32 = 5,
  TML_K_DWCONV_S8 = 6,
  TML_K_DWCONV_F32 = 7,
  TML_K_AVGPOOL_S8 = 8,
  TML_K_AVGPOOL_F32 = 9,
  TML_K_MAXPOOL_S8 = 10,
  TML_K_MAXPOOL_F32 = 11,
  TML_K_SOFTMAX_S8 = 12,
  TML_K_SOFTMAX_F32 = 13,
  /* -- elementwise binary, activations, quantize/cast: 20..59 -- */
  TML_K_ADDSUB_Q = 20,      /* ADD / SUB int8, int16 (broadcasting) */
  TML_K_MUL_Q = 21,         /* MUL int8, int16 (broadcasting) */
  TML_K_DIV_S8 = 22,        /* DIV int8 (broadcasting) */
  TML_K_BINARY = 23,        /* ADD SUB MUL DIV MIN MAX float32/int32, MIN MAX int8/int16 */
  TML_K_CONV_ADD_S8 = 24,   /* CONV_2D + ADD fused (src/runtime/fuse.ts), int8 */
  TML_K_CONV_ADD_F32 = 25,  /* CONV_2D + ADD fused, float32 */
  TML_K_LOGISTIC_S8 = 30,
  TML_K_TANH_S8 = 31,
  TML_K_UNARY_F32 = 32,     /* RELU RELU6 LOGISTIC TANH ELU HARD_SWISH LEAKY_RELU */
  TML_K_RELU_Q = 33,        /* RELU int8, int16 (rescaling) */
  TML_K_CLAMP_Q = 34,       /* RELU6 int8, int16 (clamps raw values) */
  TML_K_LEAKY_RELU_Q = 35,  /* LEAKY_RELU int8, int16 */
  TML_K_HARD_SWISH_S8 = 36,
  TML_K_LUT_S8 = 37,        /* ELU int8: 256-entry table built at prepare */
  TML_K_REQUANTIZE = 40,    /* QUANTIZE between integer types */
  TML_K_QUANTIZE_F32 = 41,  /* QUANTIZE float32 -> int8, int16 */
  TML_K_DEQUANTIZE = 42,    /* DEQUANTIZE int8, int16, uint8 -> float32 */
  TML_K_CAST = 43,
  /* -- data movement and reductions: 60..99 -- */
  TML_K_MOVE = 60,        /* generic strided copy/fill (concat, slice, pad, ...) */
  TML_K_GATHER = 61,
  TML_K_RESIZE_NN = 62,
  TML_K_REDUCE_Q = 63,    /* MEAN / SUM, int8 and int16 */
  TML_K_REDUCE_F32 = 64,  /* MEAN / SUM, float32 */
  TML_K_ARG_MINMAX = 65,
  /* -- TRANSPOSE_CONV, SVDF, LSTM: 100..119 -- */
  TML_K_TCONV_S8 = 100,
  TML_K_TCONV_F32 = 101,
  TML_K_SVDF_S8 = 102,     /* int8 input, int8 time weights and state */
  TML_K_SVDF_S8_S16 = 103, /* int8 input, int16 time weights and state */
  TML_K_SVDF_F32 = 104,
  TML_K_LSTM_S8 = 105,     /* UNIDIRECTIONAL_SEQUENCE_LSTM 8x8 -> int16 cell */
  TML_K_LSTM_F32 = 106,
  /* -- signal-library custom ops: 120..139 -- */
  TML_K_SIG_WINDOW = 120,
  TML_K_SIG_FFT_AUTO_SCALE = 121,
  TML_K_SIG_RFFT_S16 = 122,
  TML_K_SIG_RFFT_S32 = 123,
  TML_K_SIG_RFFT_F32 = 124,
  TML_K_SIG_ENERGY = 125,
  TML_K_SIG_FILTER_BANK = 126,
  TML_K_SIG_FILTER_BANK_SQRT = 127,
  TML_K_SIG_SPECTRAL_SUB = 128,  /* FilterBankSpectralSubtraction (state) */
  TML_K_SIG_PCAN = 129,
  TML_K_SIG_FILTER_BANK_LOG = 130,
  TML_K_LAST_ = 255
} tml_kernel_kind;

/* Keys for tml_info(). */
typedef enum {
  TML_INFO_PLANNED_OFFSET = 1, /* byte offset of the planned section from the block start */
  TML_INFO_USED_BYTES = 2,     /* arena bytes in use, from the aligned base (sharing:
                                  through the end of the shared region) */
  TML_INFO_PERSISTENT_BYTES = 3,
  TML_INFO_PLANNED_BYTES = 4,
  TML_INFO_ERR_OP = 5,         /* op index of the last error, -1 if none */
  TML_INFO_ERR_DETAIL = 6,     /* status-specific detail of the last error */
  TML_INFO_CTX_BYTES = 7,      /* sizeof the context header (for planners) */
  TML_INFO_SPLIT = 8,          /* planned-section offsets below this lie in the own part */
  TML_INFO_SHARED_OFFSET = 9   /* byte offset, from the block start, of planned-section
                                  offset `split` (the shared region when sharing) */
} tml_info_key;

/*
 * Load a program into an arena block. On failure the block holds an error
 * record readable with tml_info (ERR_OP, ERR_DETAIL) and no program.
 * The model bytes must stay alive and unmoved while the arena is used.
 */
tml_status tml_load(uint8_t *block, uint32_t block_size, const uint8_t *model,
                    uint32_t model_size, const int32_t *program,
                    uint32_t program_words);

/*
 * Load a program that shares `block` with others (layout above). `block` is
 * this program's view of the shared block: its context goes at the view's
 * first 16-byte aligned byte, its own part and program copy after it, and
 * the shared region starts `shared_at` bytes past the context (a multiple of
 * 16, past the program copy, inside the view). shared_at == 0: no sharing,
 * tml_load's layout. Nothing is written outside the view; the caller lays
 * the programs out so that their persistent parts do not overlap (a program
 * whose context or copy was overwritten is refused at its next invoke).
 */
tml_status tml_load_shared(uint8_t *block, uint32_t block_size, uint32_t shared_at,
                           const uint8_t *model, uint32_t model_size, const int32_t *program,
                           uint32_t program_words);

/* Run every op of the loaded program, in order. */
tml_status tml_invoke(uint8_t *block, uint32_t block_size);

#ifdef TML_PROFILE
/* Per-op profiling, compiled in only where a build defines TML_PROFILE (the
 * qemu-m4 firmware): tml_invoke calls this before (end = 0) and after
 * (end = 1) op `index` (kernel kind `kind`); the build provides it. */
void tml_profile_op(uint32_t index, int32_t kind, int end);
#endif

/* 1 if the block holds a loaded program whose model bytes lie inside
 * [model, model + model_size), else 0. The core cannot prove the model
 * pointer it keeps: a binding whose buffers can be detached or moved under
 * it (Node: structuredClone transfer) asks this before each invoke. */
int tml_model_within(const uint8_t *block, uint32_t block_size, const uint8_t *model,
                     size_t model_size);

/* Sets every state tensor back to its fill byte (TFLM ResetVariableTensors). */
tml_status tml_reset(uint8_t *block, uint32_t block_size);

/* Read a tml_info_key; returns -1 for an unknown key or an unloaded block. */
int32_t tml_info(const uint8_t *block, uint32_t block_size, int32_t key);

/* Bytes an arena needs for a program: ctx + planned + program copy, plus
 * worst-case alignment padding of the block. */
uint32_t tml_arena_bytes_needed(uint32_t planned_bytes, uint32_t program_words);

/*
 * Packed models: the op program planned on the host (`tinyml pack`), shipped
 * as a section of int32 words appended to the .tflite file. FlatBuffer
 * readers (TFLM, flatc, TFLite) start from the root offset at byte 0 and never
 * look past the model, so a packed file is still a normal .tflite.
 *
 *   file     [model: M bytes][zero pad to 16][section]
 *   section  header (TML_PACK_HEADER_WORDS words):
 *              magic TML_PACK_MAGIC, pack format version, runtime (the
 *              TML_PROGRAM_VERSION it was planned for), M, model hash,
 *              section words (all of them, footer included), section hash
 *              (of every section word with this one read as 0), program
 *              offset and words, meta offset and words (offsets in words from
 *              the section start), arena bytes needed
 *            program (the op program above)
 *            meta (what the script needs for tensor views and messages; read
 *              by TypeScript only, src/core/packed.ts)
 *            footer: the section's byte offset in the file (= M rounded up
 *              to 16), TML_PACK_MAGIC
 * Hashes are FNV-1a over little-endian 32-bit words (the model's last partial
 * word zero-filled): cheap on a Cortex-M (about 1.3 instructions a byte) and
 * enough to tell models apart; authenticity is the update layer's job.
 */
#define TML_PACK_MAGIC 0x504C4D54 /* "TMLP" */
#define TML_PACK_VERSION 1
#define TML_PACK_HEADER_WORDS 12
#define TML_PACK_FOOTER_WORDS 2

typedef enum {
  TML_PACK_W_MAGIC = 0, TML_PACK_W_VERSION, TML_PACK_W_RUNTIME, TML_PACK_W_MODEL_BYTES,
  TML_PACK_W_MODEL_HASH, TML_PACK_W_WORDS, TML_PACK_W_HASH, TML_PACK_W_PROGRAM,
  TML_PACK_W_PROGRAM_WORDS, TML_PACK_W_META, TML_PACK_W_META_WORDS, TML_PACK_W_ARENA
} tml_pack_word;

/*
 * Load a packed model. With section == NULL the section is found at the end
 * of `model` (a packed file); otherwise `section` holds it and `model` the
 * plain model bytes (a section planned on the device). Checks the section
 * (bounds, versions, both hashes) and then loads its program as tml_load does.
 */
tml_status tml_load_packed(uint8_t *block, uint32_t block_size, const uint8_t *model,
                           uint32_t model_size, const uint8_t *section, uint32_t section_size);

/* tml_load_packed for a program that shares its block (tml_load_shared). */
tml_status tml_load_packed_shared(uint8_t *block, uint32_t block_size, uint32_t shared_at,
                                  const uint8_t *model, uint32_t model_size,
                                  const uint8_t *section, uint32_t section_size);

/* FNV-1a over bytes read as little-endian 32-bit words (a last partial word
 * zero-filled); word `skip_word` (or none if -1) is read as 0. */
uint32_t tml_pack_hash(const uint8_t *bytes, uint32_t size, int32_t skip_word);

/* Stable name of a status, e.g. "E_ARENA_TOO_SMALL". */
const char *tml_status_name(tml_status status);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_H */
