/*
 * tinyml_node.c - the N-API face of tinyml.h for Node.
 *
 * Thin on purpose: every function only checks JS argument types, takes the
 * data pointers of the ArrayBuffer / typed arrays and calls the C API. C
 * statuses come back as numbers; only wrong JS argument types (and bad arena
 * sizes) throw. The same five functions, with the same messages, exist on
 * Duktape (native/bindings/duktape/tinyml_duk.c). Nothing is made global:
 * the TypeScript runtime installs the exports as __tinyml_native itself.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <stddef.h>
#include <stdint.h>

#include "tinyml.h"

/* Largest arena: block sizes travel as uint32 and status details as int32. */
#define ARENA_MAX 2147483647.0

/* Leaves a callback when an N-API call failed (an exception is then usually
 * pending already; if not, raise a generic one). */
#define CALL(env, expr)                                                 \
  do {                                                                  \
    if ((expr) != napi_ok) {                                            \
      bool pending_ = false;                                            \
      napi_is_exception_pending((env), &pending_);                      \
      if (!pending_) napi_throw_error((env), NULL, "tinyml: N-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

static int is_number(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_number;
}

/* 1 and the bytes of an ArrayBuffer argument, 0 if it is not one. */
static int get_arena(napi_env env, napi_value v, uint8_t **data, uint32_t *size) {
  bool is_ab = false;
  void *p = NULL;
  size_t n = 0;
  if (napi_is_arraybuffer(env, v, &is_ab) != napi_ok || !is_ab) return 0;
  if (napi_get_arraybuffer_info(env, v, &p, &n) != napi_ok) return 0;
  /* Detached buffers report NULL/0; the core answers those with a status. */
  *data = (uint8_t *)p;
  *size = n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
  return 1;
}

/* 1 and the view's data (byteOffset applied) if v is a typed array of
 * element type `want`, 0 otherwise. *buffer is its ArrayBuffer. */
static int get_view(napi_env env, napi_value v, napi_typedarray_type want,
                    void **data, size_t *length, napi_value *buffer) {
  bool is_ta = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  if (napi_get_typedarray_info(env, v, &type, length, data, buffer, NULL) != napi_ok)
    return 0;
  return type == want;
}

/* 1 if `buffer` is an ArrayBuffer that can shrink (ES2024 resizable): the
 * core keeps pointers into the arena and the model across calls, so those
 * must not shrink under it. `getter` is ArrayBuffer.prototype's `resizable`
 * getter captured at init (NULL on engines without resizable buffers).
 * SharedArrayBuffers can only grow and are fine. -1 if a call failed. */
static int is_resizable(napi_env env, napi_value buffer, napi_ref getter) {
  bool is_ab = false, yes = false;
  napi_value fn, result;
  if (getter == NULL) return 0;
  if (napi_is_arraybuffer(env, buffer, &is_ab) != napi_ok) return -1;
  if (!is_ab) return 0;
  if (napi_get_reference_value(env, getter, &fn) != napi_ok || fn == NULL) return -1;
  if (napi_call_function(env, buffer, fn, 0, NULL, &result) != napi_ok) return -1;
  if (napi_get_value_bool(env, result, &yes) != napi_ok) return -1;
  return yes ? 1 : 0;
}

static napi_value make_int(napi_env env, int32_t n) {
  napi_value out;
  CALL(env, napi_create_int32(env, n, &out));
  return out;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* Reads the arguments of invoke/reset/info; argv[0] must be an ArrayBuffer. */
static int arena_arg(napi_env env, napi_callback_info info, const char *msg,
                     size_t want_argc, napi_value *argv, uint8_t **data,
                     uint32_t *size) {
  size_t argc = want_argc;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (!get_arena(env, argv[0], data, size)) {
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

/* arena(size) -> a fresh zero-filled ArrayBuffer of `size` bytes.
 * It is made with the ArrayBuffer constructor captured at init (a napi_ref
 * riding as the function's data pointer, so no allocation of ours): the
 * bytes are zeroed, and an allocation failure becomes a RangeError instead
 * of napi_create_arraybuffer's fatal out-of-memory abort. */
static napi_value js_arena(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ctor, arg, result;
  double size;
  void *data = NULL;
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, &data));
  if (argc < 1 || !is_number(env, argv[0]))
    return throw_type(env, "arena: size must be a number");
  CALL(env, napi_get_value_double(env, argv[0], &size));
  if (!(size >= 1.0 && size <= ARENA_MAX) || size != (double)(int64_t)size) {
    napi_throw_range_error(env, NULL,
                           "arena: size must be an integer from 1 to 2147483647");
    return NULL;
  }
  CALL(env, napi_get_reference_value(env, (napi_ref)data, &ctor));
  CALL(env, napi_create_double(env, size, &arg));
  CALL(env, napi_new_instance(env, ctor, 1, &arg, &result));
  return result;
}

/* load(arena, model, program) -> tml_status. */
static napi_value js_load(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], model_buffer, program_buffer;
  uint8_t *block = NULL;
  uint32_t block_size = 0;
  void *model = NULL, *program = NULL, *data = NULL;
  size_t model_len = 0, program_len = 0;
  int r1, r2;
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, &data));
  /* Missing arguments arrive as undefined and fail the type checks. */
  if (!get_arena(env, argv[0], &block, &block_size))
    return throw_type(env, "load: arena must be an ArrayBuffer");
  if (!get_view(env, argv[1], napi_uint8_array, &model, &model_len, &model_buffer))
    return throw_type(env, "load: model must be a Uint8Array");
  if (!get_view(env, argv[2], napi_int32_array, &program, &program_len,
                &program_buffer))
    return throw_type(env, "load: program must be an Int32Array");
  r1 = is_resizable(env, argv[0], (napi_ref)data);
  r2 = r1 == 0 ? is_resizable(env, model_buffer, (napi_ref)data) : 0;
  if (r1 < 0 || r2 < 0) CALL(env, napi_generic_failure);
  if (r1) return throw_type(env, "load: arena must not be a resizable ArrayBuffer");
  if (r2) return throw_type(env, "load: model must not be on a resizable ArrayBuffer");
  /* The program is copied by tml_load, so its buffer may do as it likes. */
  if (model_len > 0xFFFFFFFFu || program_len > 0x3FFFFFFFu ||
      ((uintptr_t)program & 3u) != 0)
    return make_int(env, TML_E_BAD_ARG);
  return make_int(env, (int32_t)tml_load(block, block_size, (const uint8_t *)model,
                                         (uint32_t)model_len,
                                         (const int32_t *)program,
                                         (uint32_t)program_len));
}

static napi_value js_invoke(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint8_t *block = NULL;
  uint32_t size = 0;
  if (!arena_arg(env, info, "invoke: arena must be an ArrayBuffer", 1, argv,
                 &block, &size))
    return NULL;
  return make_int(env, (int32_t)tml_invoke(block, size));
}

static napi_value js_reset(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint8_t *block = NULL;
  uint32_t size = 0;
  if (!arena_arg(env, info, "reset: arena must be an ArrayBuffer", 1, argv,
                 &block, &size))
    return NULL;
  return make_int(env, (int32_t)tml_reset(block, size));
}

/* info(arena, key) -> tml_info; a key that is not an int32 reads as -1. */
static napi_value js_info(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint8_t *block = NULL;
  uint32_t size = 0;
  double key;
  int32_t k = -1;
  if (!arena_arg(env, info, "info: arena must be an ArrayBuffer", 2, argv,
                 &block, &size))
    return NULL;
  if (!is_number(env, argv[1])) return throw_type(env, "info: key must be a number");
  CALL(env, napi_get_value_double(env, argv[1], &key));
  if (key >= -2147483648.0 && key <= 2147483647.0 && key == (double)(int32_t)key)
    k = (int32_t)key;
  return make_int(env, tml_info(block, size, k));
}

/* ArrayBuffer.prototype's `resizable` getter, or NULL in *out if absent. */
static napi_value find_resizable_getter(napi_env env, napi_value ctor,
                                        napi_ref *out) {
  napi_value proto, key, object, gopd, args[2], desc, getter, global;
  napi_valuetype t;
  *out = NULL;
  CALL(env, napi_get_global(env, &global));
  CALL(env, napi_get_named_property(env, ctor, "prototype", &proto));
  CALL(env, napi_get_named_property(env, global, "Object", &object));
  CALL(env, napi_get_named_property(env, object, "getOwnPropertyDescriptor", &gopd));
  CALL(env, napi_create_string_utf8(env, "resizable", NAPI_AUTO_LENGTH, &key));
  args[0] = proto;
  args[1] = key;
  CALL(env, napi_call_function(env, object, gopd, 2, args, &desc));
  CALL(env, napi_typeof(env, desc, &t));
  if (t != napi_object) return desc;
  CALL(env, napi_get_named_property(env, desc, "get", &getter));
  CALL(env, napi_typeof(env, getter, &t));
  if (t == napi_function) CALL(env, napi_create_reference(env, getter, 1, out));
  return desc;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {{"arena", js_arena}, {"load", js_load}, {"invoke", js_invoke},
             {"reset", js_reset}, {"info", js_info}};
  size_t i;
  napi_value global, ctor;
  napi_ref ctor_ref, getter_ref;
  CALL(env, napi_get_global(env, &global));
  CALL(env, napi_get_named_property(env, global, "ArrayBuffer", &ctor));
  /* Strong references owned by the env, released when it is torn down. They
   * ride as the data pointers of arena() and load(). */
  CALL(env, napi_create_reference(env, ctor, 1, &ctor_ref));
  if (find_resizable_getter(env, ctor, &getter_ref) == NULL) return NULL;
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    void *data = fns[i].cb == js_arena  ? (void *)ctor_ref
                 : fns[i].cb == js_load ? (void *)getter_ref
                                        : NULL;
    CALL(env, napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb,
                                   data, &fn));
    CALL(env, napi_set_named_property(env, exports, fns[i].name, fn));
  }
  return exports;
}
