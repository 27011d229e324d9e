/*
 * tinyml_node.c - the N-API face of tinyml.h for Node.
 *
 * Thin on purpose: every function only marshals its JS arguments (kind,
 * data pointer, byte length) for the shared glue
 * (native/bindings/common/tinyml_glue.h), which checks them, calls the C API
 * and says what to return or throw. C statuses come back as numbers; only
 * wrong JS argument types (and bad arena sizes) throw. The same five
 * functions, with the same messages, exist on every engine. Nothing is made
 * global: the TypeScript runtime installs the exports as __tinyml_native.
 */
#define NAPI_VERSION 8
#define _POSIX_C_SOURCE 199309L /* clock_gettime, for the per-op profile */
#include <node_api.h>
#include <time.h>

#include <stddef.h>
#include <stdint.h>

#include "tinyml.h"
#include "../common/tinyml_glue.h"

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

/* Describes one argument for the glue. `getter` (load's arena and model
 * only) asks whether the buffer behind it is resizable. 0 if a call failed. */
static int marshal(napi_env env, napi_value v, napi_ref getter, tml_val *out) {
  napi_valuetype t;
  bool yes = false;
  napi_value buffer = v;
  int r;
  tml_val_other(out);
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_number) {
    double d;
    if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
    tml_val_number(out, d);
    return 1;
  }
  if (t != napi_object) return 1;
  if (napi_is_arraybuffer(env, v, &yes) != napi_ok) return 0;
  if (yes) {
    void *p = NULL;
    size_t n = 0;
    /* Detached buffers report NULL/0; the core answers those with a status. */
    if (napi_get_arraybuffer_info(env, v, &p, &n) != napi_ok) return 0;
    tml_val_buffer(out, TML_VAL_ARRAYBUFFER, (uint8_t *)p, n);
  } else {
    napi_typedarray_type type;
    size_t length = 0;
    void *p = NULL;
    if (napi_is_typedarray(env, v, &yes) != napi_ok) return 0;
    if (!yes) return 1;
    if (napi_get_typedarray_info(env, v, &type, &length, &p, &buffer, NULL) != napi_ok)
      return 0;
    if (type == napi_uint8_array)
      tml_val_buffer(out, TML_VAL_UINT8ARRAY, (uint8_t *)p, length);
    else if (type == napi_int32_array && length <= SIZE_MAX / 4u)
      tml_val_buffer(out, TML_VAL_INT32ARRAY, (uint8_t *)p, length * 4u);
    else
      out->kind = TML_VAL_OTHER_VIEW;
    /* A view's buffer that is no ArrayBuffer is a SharedArrayBuffer. */
    if (napi_is_arraybuffer(env, buffer, &yes) != napi_ok) return 0;
    if (!yes) out->flags |= TML_VAL_SHARED;
  }
  r = is_resizable(env, buffer, getter);
  if (r < 0) return 0;
  if (r) out->flags |= TML_VAL_RESIZABLE;
  return 1;
}

/* What load() leaves on the arena object it was given (napi_wrap): a strong
 * reference to its model. The core keeps a pointer into the model's bytes,
 * which Node can take away (structuredClone / postMessage transfer detach
 * the buffer; its memory then belongs to another buffer, or is freed), so
 * before each invoke the model must still hold the bytes the core reads
 * (tml_model_within); invoke() on an object load() was not given refuses. */
static void loaded_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  napi_delete_reference(env, (napi_ref)data);
}

/* Forgets what an earlier load left on the arena object. */
static void forget_load(napi_env env, napi_value arena) {
  void *old = NULL;
  if (napi_remove_wrap(env, arena, &old) == napi_ok && old != NULL)
    loaded_finalize(env, old, NULL);
}

static int remember_load(napi_env env, napi_value arena, napi_value model) {
  napi_ref ref;
  if (napi_create_reference(env, model, 1, &ref) != napi_ok) return 0;
  if (napi_wrap(env, arena, (void *)ref, loaded_finalize, NULL, NULL) != napi_ok) {
    napi_delete_reference(env, ref);
    return 0;
  }
  return 1;
}

/* 1 if the model load() was given still holds the bytes the core reads. */
static int model_still_there(napi_env env, napi_value arena, const tml_val *block) {
  void *ref = NULL;
  napi_value model;
  tml_val m;
  if (napi_unwrap(env, arena, &ref) != napi_ok || ref == NULL) return 0;
  if (napi_get_reference_value(env, (napi_ref)ref, &model) != napi_ok || model == NULL ||
      !marshal(env, model, NULL, &m))
    return 0;
  return tml_model_within(block->data, tml_glue_size32(block->bytes), m.data, m.bytes);
}

/* Every function: marshal the arguments, let the glue check and run them,
 * turn the result into a value or an exception. The function's data pointer
 * is a napi_ref: the ArrayBuffer constructor for arena(), the `resizable`
 * getter (or NULL) for load(). */
static napi_value call(napi_env env, napi_callback_info info, tml_fn_id fn) {
  size_t argc = TML_GLUE_MAX_ARGS, i;
  napi_value argv[TML_GLUE_MAX_ARGS];
  tml_val vals[TML_GLUE_MAX_ARGS];
  tml_res res;
  void *data = NULL;
  /* Missing arguments arrive as undefined and fail the type checks. */
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, &data));
  for (i = 0; i < TML_GLUE_MAX_ARGS; i++) {
    napi_ref getter = fn == TML_FN_LOAD && i < 2 ? (napi_ref)data : NULL;
    if (!marshal(env, argv[i], getter, &vals[i])) CALL(env, napi_generic_failure);
  }
  if (fn == TML_FN_LOAD && tml_glue_is_arena(&vals[0])) forget_load(env, argv[0]);
  if (fn == TML_FN_INVOKE && tml_glue_is_arena(&vals[0]) &&
      !model_still_there(env, argv[0], &vals[0])) {
    res.kind = TML_RES_INT;
    res.value = TML_E_NOT_LOADED;
    res.offset = res.bytes = 0;
    res.message = NULL;
  } else {
    tml_glue_call(fn, vals, &res);
  }
  if (fn == TML_FN_LOAD && res.kind == TML_RES_INT && res.value == TML_OK &&
      !remember_load(env, argv[0], argv[1]))
    CALL(env, napi_generic_failure);
  if (tml_glue_wants_on_error(fn, &res)) {
    napi_valuetype t;
    CALL(env, napi_typeof(env, argv[1], &t));
    if (t == napi_function) {
      napi_value status, undef, out = NULL;
      CALL(env, napi_create_int32(env, res.value, &status));
      CALL(env, napi_get_undefined(env, &undef));
      /* A throw in onError stays pending and reaches the script. */
      if (napi_call_function(env, undef, argv[1], 1, &status, &out) != napi_ok) return NULL;
      return out;
    }
  }
  switch (res.kind) {
    case TML_RES_INT: {
      napi_value out;
      CALL(env, napi_create_int32(env, res.value, &out));
      return out;
    }
    case TML_RES_TYPE_ERROR:
      napi_throw_type_error(env, NULL, res.message);
      return NULL;
    case TML_RES_RANGE_ERROR:
      napi_throw_range_error(env, NULL, res.message);
      return NULL;
    case TML_RES_NEW_ARENA: {
      /* Made with the ArrayBuffer constructor captured at init: the bytes are
       * zeroed, and an allocation failure becomes a RangeError instead of
       * napi_create_arraybuffer's fatal out-of-memory abort. */
      napi_value ctor, arg, result;
      CALL(env, napi_get_reference_value(env, (napi_ref)data, &ctor));
      CALL(env, napi_create_double(env, (double)res.bytes, &arg));
      CALL(env, napi_new_instance(env, ctor, 1, &arg, &result));
      return result;
    }
    default:
      napi_throw_error(env, NULL, "tinyml: unexpected glue result");
      return NULL;
  }
}

static napi_value js_arena(napi_env env, napi_callback_info info) {
  return call(env, info, TML_FN_ARENA);
}
static napi_value js_load(napi_env env, napi_callback_info info) {
  return call(env, info, TML_FN_LOAD);
}
static napi_value js_invoke(napi_env env, napi_callback_info info) {
  return call(env, info, TML_FN_INVOKE);
}
static napi_value js_reset(napi_env env, napi_callback_info info) {
  return call(env, info, TML_FN_RESET);
}
static napi_value js_info(napi_env env, napi_callback_info info) {
  return call(env, info, TML_FN_INFO);
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

#ifdef TML_PROFILE
/* Per-op wall time of the last invoke (binding.gyp defines TML_PROFILE):
 * tml_invoke calls this around every op; profile() hands the figures to
 * scripts in microseconds (the optional native function of src/core/native.ts). */
#define PROF_MAX 1024u
static uint32_t prof_n;
static double prof_us[PROF_MAX];
static int32_t prof_kind[PROF_MAX];
static struct timespec prof_t0;

void tml_profile_op(uint32_t index, int32_t kind, int end) {
  struct timespec t;
  (void)clock_gettime(CLOCK_MONOTONIC, &t);
  if (!end) {
    if (index == 0) prof_n = 0;
    prof_t0 = t;
    return;
  }
  if (index < PROF_MAX) {
    prof_us[index] = (double)(t.tv_sec - prof_t0.tv_sec) * 1e6 + (double)(t.tv_nsec - prof_t0.tv_nsec) / 1e3;
    prof_kind[index] = kind;
    prof_n = index + 1;
  }
}

static napi_value js_profile(napi_env env, napi_callback_info info) {
  napi_value out, ops, kinds, v;
  uint32_t i;
  (void)info;
  CALL(env, napi_create_object(env, &out));
  CALL(env, napi_create_string_utf8(env, "us", NAPI_AUTO_LENGTH, &v));
  CALL(env, napi_set_named_property(env, out, "unit", v));
  CALL(env, napi_create_array_with_length(env, prof_n, &ops));
  CALL(env, napi_create_array_with_length(env, prof_n, &kinds));
  for (i = 0; i < prof_n; i++) {
    CALL(env, napi_create_double(env, prof_us[i], &v));
    CALL(env, napi_set_element(env, ops, i, v));
    CALL(env, napi_create_int32(env, prof_kind[i], &v));
    CALL(env, napi_set_element(env, kinds, i, v));
  }
  CALL(env, napi_set_named_property(env, out, "ops", ops));
  CALL(env, napi_set_named_property(env, out, "kinds", kinds));
  return out;
}
#endif

NAPI_MODULE_INIT() {
  static const napi_callback cbs[TML_FN_CORE_COUNT] = {js_arena, js_load, js_invoke,
                                                       js_reset, js_info};
  const tml_fn_desc *fns = tml_glue_fns();
  size_t i;
  napi_value global, ctor;
  napi_ref ctor_ref, getter_ref;
  CALL(env, napi_get_global(env, &global));
  CALL(env, napi_get_named_property(env, global, "ArrayBuffer", &ctor));
  /* Strong references owned by the env, released when it is torn down. They
   * ride as the data pointers of arena() and load(). */
  CALL(env, napi_create_reference(env, ctor, 1, &ctor_ref));
  if (find_resizable_getter(env, ctor, &getter_ref) == NULL) return NULL;
  for (i = 0; i < TML_FN_CORE_COUNT; i++) {
    napi_value fn;
    void *data = i == TML_FN_ARENA  ? (void *)ctor_ref
                 : i == TML_FN_LOAD ? (void *)getter_ref
                                    : NULL;
    CALL(env, napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, cbs[i], data, &fn));
    CALL(env, napi_set_named_property(env, exports, fns[i].name, fn));
  }
#ifdef TML_PROFILE
  {
    napi_value fn;
    CALL(env, napi_create_function(env, "profile", NAPI_AUTO_LENGTH, js_profile, NULL, &fn));
    CALL(env, napi_set_named_property(env, exports, "profile", fn));
  }
#endif
  return exports;
}
