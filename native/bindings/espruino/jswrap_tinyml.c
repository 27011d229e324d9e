/*
 * jswrap_tinyml.c - the Espruino face of tinyml.h.
 *
 * Espruino's build scans the JSON comments below and generates the glue
 * that makes `require("tinyml")` and the global `__tinyml_native` (the same
 * object) call these functions. Each function only marshals its arguments
 * for the shared glue (native/bindings/common/tinyml_glue.h), which checks
 * them and calls the C core; messages and results match every other engine.
 *
 * Espruino specifics:
 * - Memory: arenas are flat strings in the variable store (contiguous and
 *   never moved: defragmentation skips flat strings), so the core can keep
 *   pointers into them. The model must be contiguous too: a flat string
 *   (E.toArrayBuffer(E.toFlatString(...))) or a memory-mapped Storage file.
 * - No RangeError: size errors are thrown as Error with the same message.
 * - Typed-array views take a 16-bit byteOffset, so an arena view past
 *   65535 bytes cannot be made the standard way: view(buffer, offset, bytes)
 *   returns a Uint8Array at byteOffset 0 of its own ArrayBuffer, which is a
 *   native string over exactly those bytes. That native string does not keep
 *   the arena alive: the TypeScript runtime keeps the arena referenced for
 *   as long as the interpreter lives, and a view must not outlive it.
 */
#include <string.h>

#include "jsutils.h"
#include "jsvar.h"
#include "jsparse.h"
#include "jswrap_arraybuffer.h"
#include "jswrap_modules.h"

#include "tinyml.h"
#include "../common/tinyml_glue.h"
#include "jswrap_tinyml.h"

/*JSON{
  "type" : "library",
  "class" : "tinyml"
}
The tinyml-ts native module: runs a TFLite model's op program, prepared by
the tinyml-ts JavaScript bundle, with C kernels on an arena. The bundle finds
it as the global `__tinyml_native`; `require("tinyml")` is the same object.
*/

/*JSON{
  "type" : "variable",
  "name" : "__tinyml_native",
  "generate" : "jswrap_tinyml_global",
  "return" : ["JsVar","The tinyml native module (the same object as require(\"tinyml\"))"]
}
The tinyml native module, where the tinyml-ts bundle looks for it on every
engine.
*/
JsVar *jswrap_tinyml_global(void) {
  JsVar *name = jsvNewFromString("tinyml");
  JsVar *module = name ? jswrap_require(name) : 0;
  jsvUnLock(name);
  return module;
}

/* Where the data of an ArrayBuffer / typed array lives: a pointer if its
 * bytes are contiguous (flat or native string, or a small single-block
 * string), else NULL and TML_VAL_SCATTERED. */
static void buffer_data(JsVar *v, size_t bytes, tml_val *out) {
  uint32_t offset = 0;
  size_t len = 0;
  JsVar *backing = jsvGetArrayBufferBackingString(v, &offset);
  char *p = backing ? jsvGetDataPointer(backing, &len) : NULL;
  jsvUnLock(backing);
  if (p == NULL || offset > len || bytes > len - offset) {
    out->flags |= TML_VAL_SCATTERED;
    out->data = NULL;
  } else {
    out->data = (uint8_t *)p + offset;
  }
  out->bytes = bytes;
}

static void marshal(JsVar *v, tml_val *out) {
  tml_val_other(out);
  if (jsvIsInt(v) || jsvIsFloat(v)) {
    tml_val_number(out, (double)jsvGetFloat(v));
  } else if (jsvIsArrayBuffer(v)) {
    JsVarDataArrayBufferViewType type = v->varData.arraybuffer.type;
    size_t bytes = jsvGetArrayBufferLength(v) * JSV_ARRAYBUFFER_GET_SIZE(type);
    if (type == ARRAYBUFFERVIEW_ARRAYBUFFER) out->kind = TML_VAL_ARRAYBUFFER;
    else if (type == ARRAYBUFFERVIEW_UINT8) out->kind = TML_VAL_UINT8ARRAY;
    else if (type == ARRAYBUFFERVIEW_INT32) out->kind = TML_VAL_INT32ARRAY;
    else out->kind = TML_VAL_OTHER_VIEW;
    if (out->kind != TML_VAL_OTHER_VIEW) buffer_data(v, bytes, out);
  }
}

static JsVar *throw_error(tml_res_kind kind, const char *message) {
  /* Espruino has no RangeError: size errors are plain Errors. */
  jsExceptionHere(kind == TML_RES_TYPE_ERROR ? JSET_TYPEERROR : JSET_ERROR, "%s", message);
  return 0;
}

/* A zero-filled ArrayBuffer on a flat string of `size` bytes. */
static JsVar *new_arena(uint32_t size) {
  char *p = NULL;
  JsVar *ab;
  if (size > (uint32_t)JSV_ARRAYBUFFER_MAX_LENGTH)
    return throw_error(TML_RES_RANGE_ERROR,
                       "arena: size is larger than this Espruino build's largest ArrayBuffer");
  ab = jsvNewArrayBufferWithPtr((unsigned int)size, &p);
  if (p == NULL) {
    jsvUnLock(ab);
    jsExceptionHere(JSET_ERROR,
                    "arena: no %d contiguous free bytes in the variable store "
                    "(process.memory(), E.defrag())",
                    (int)size);
    return 0;
  }
  memset(p, 0, size);
  return ab;
}

/* A Uint8Array over [offset, offset + bytes) of the buffer at `data`, at
 * byteOffset 0 of its own ArrayBuffer (a native string over those bytes). */
static JsVar *new_view(uint8_t *data, uint32_t offset, uint32_t bytes) {
  /* Variables, not constants: on builds where a limit is 2^32-1 a constant
   * comparison would be flagged as always false. */
  static const uint64_t max_native = JSV_NATIVE_STR_MAX_LENGTH;
  static const uint64_t max_buffer = JSV_ARRAYBUFFER_MAX_LENGTH;
  JsVar *str, *ab, *view;
  if (bytes > max_native || bytes > max_buffer)
    return throw_error(TML_RES_RANGE_ERROR, "view: too many bytes for this Espruino build");
  str = jsvNewNativeString((char *)(data + offset), (size_t)bytes);
  if (!str) return 0; /* out of memory: Espruino has reported it */
  ab = jsvNewArrayBufferFromString(str, (unsigned int)bytes);
  jsvUnLock(str);
  if (!ab) return 0;
  view = jswrap_typedarray_constructor(ARRAYBUFFERVIEW_UINT8, ab, 0, (JsVarInt)bytes);
  jsvUnLock(ab);
  return view;
}

/* The program (or a packed section) is only read during load (the core
 * copies it into the arena), but it must be contiguous and 4-byte aligned. A
 * typed array that is not
 * (the variable store was too fragmented for a flat string) is copied into
 * a temporary flat string; *tmp holds it until the caller unlocks it. */
static void contiguous_program(JsVar *program, tml_val *val, JsVar **tmp) {
  uint32_t offset = 0;
  JsVar *backing, *flat;
  *tmp = 0;
  if (val->kind != TML_VAL_INT32ARRAY && val->kind != TML_VAL_UINT8ARRAY) return;
  if (!(val->flags & TML_VAL_SCATTERED) && ((uintptr_t)val->data & 3u) == 0) return;
  flat = jsvNewFlatStringOfLength((unsigned int)val->bytes);
  if (!flat) return; /* stays scattered: the glue throws */
  backing = jsvGetArrayBufferBackingString(program, &offset);
  if (backing) jsvGetStringChars(backing, offset, jsvGetFlatStringPointer(flat), val->bytes);
  jsvUnLock(backing);
  val->data = (uint8_t *)jsvGetFlatStringPointer(flat);
  val->flags &= ~TML_VAL_SCATTERED;
  *tmp = flat;
}

static JsVar *call(tml_fn_id fn, JsVar *a0, JsVar *a1, JsVar *a2, JsVar *a3) {
  tml_val vals[TML_GLUE_MAX_ARGS];
  tml_res res;
  JsVar *tmp = 0;
  marshal(a0, &vals[0]);
  marshal(a1, &vals[1]);
  marshal(a2, &vals[2]);
  marshal(a3, &vals[3]);
  if (fn == TML_FN_LOAD) contiguous_program(a2, &vals[2], &tmp);
  tml_glue_call(fn, vals, &res);
  jsvUnLock(tmp);
  switch (res.kind) {
    case TML_RES_INT:
      return jsvNewFromInteger((JsVarInt)res.value);
    case TML_RES_NEW_ARENA:
      return new_arena(res.bytes);
    case TML_RES_VIEW:
      if (vals[0].data == NULL)
        return throw_error(TML_RES_TYPE_ERROR, "view: buffer must be contiguous in memory");
      return new_view(vals[0].data, res.offset, res.bytes);
    default:
      return throw_error(res.kind, res.message);
  }
}

/*JSON{
  "type" : "staticmethod",
  "class" : "tinyml",
  "name" : "arena",
  "generate" : "jswrap_tinyml_arena",
  "params" : [["size","JsVar","Bytes (an integer from 1)"]],
  "return" : ["JsVar","A zero-filled ArrayBuffer on contiguous memory"]
}
A fresh arena for one interpreter.
*/
JsVar *jswrap_tinyml_arena(JsVar *size) { return call(TML_FN_ARENA, size, 0, 0, 0); }

/*JSON{
  "type" : "staticmethod",
  "class" : "tinyml",
  "name" : "load",
  "generate" : "jswrap_tinyml_load",
  "params" : [
    ["arena","JsVar","An ArrayBuffer from arena(), or a Uint8Array over part of one (a shared block)"],
    ["model","JsVar","The model bytes (Uint8Array on contiguous memory)"],
    ["program","JsVar","The op program (Int32Array), a packed section (Uint8Array), or nothing for a packed model"],
    ["sharedAt","JsVar","Optional: offset of the shared region from the context (a program sharing its block)"]
  ],
  "return" : ["JsVar","A tml_status (0 = OK)"]
}
Checks the op program (or the packed model's) and copies it into the arena.
*/
JsVar *jswrap_tinyml_load(JsVar *arena, JsVar *model, JsVar *program, JsVar *sharedAt) {
  return call(TML_FN_LOAD, arena, model, program, sharedAt);
}

/*JSON{
  "type" : "staticmethod",
  "class" : "tinyml",
  "name" : "invoke",
  "generate" : "jswrap_tinyml_invoke",
  "params" : [
    ["arena","JsVar","A loaded arena"],
    ["onError","JsVar","Optional: a function given the status when it is not OK; its result is returned"]
  ],
  "return" : ["JsVar","A tml_status (0 = OK), or what onError returned"]
}
Runs every op of the loaded program.
*/
JsVar *jswrap_tinyml_invoke(JsVar *arena, JsVar *onError) {
  JsVar *status = call(TML_FN_INVOKE, arena, 0, 0, 0), *out;
  if (!status || !jsvIsFunction(onError) || jsvGetInteger(status) == 0) return status;
  out = jspExecuteFunction(onError, 0, 1, &status);
  jsvUnLock(status);
  return out;
}

/*JSON{
  "type" : "staticmethod",
  "class" : "tinyml",
  "name" : "reset",
  "generate" : "jswrap_tinyml_reset",
  "params" : [["arena","JsVar","A loaded arena"]],
  "return" : ["JsVar","A tml_status (0 = OK)"]
}
Sets every state tensor back to its fill byte.
*/
JsVar *jswrap_tinyml_reset(JsVar *arena) { return call(TML_FN_RESET, arena, 0, 0, 0); }

/*JSON{
  "type" : "staticmethod",
  "class" : "tinyml",
  "name" : "info",
  "generate" : "jswrap_tinyml_info",
  "params" : [
    ["arena","JsVar","An arena"],
    ["key","JsVar","A tml_info_key"]
  ],
  "return" : ["JsVar","The value, -1 for an unknown key or an unloaded arena"]
}
Reads a tml_info value.
*/
JsVar *jswrap_tinyml_info(JsVar *arena, JsVar *key) { return call(TML_FN_INFO, arena, key, 0, 0); }

/*JSON{
  "type" : "staticmethod",
  "class" : "tinyml",
  "name" : "view",
  "generate" : "jswrap_tinyml_view",
  "params" : [
    ["buffer","JsVar","An ArrayBuffer on contiguous memory (an arena or the model's)"],
    ["offset","JsVar","First byte"],
    ["bytes","JsVar","Number of bytes"]
  ],
  "return" : ["JsVar","A Uint8Array over those bytes, at byteOffset 0 of its own buffer"]
}
A view that needs no byteOffset (Espruino's are limited to 65535). It does
not keep `buffer` alive: keep a reference to it while the view is used.
*/
JsVar *jswrap_tinyml_view(JsVar *buffer, JsVar *offset, JsVar *bytes) {
  return call(TML_FN_VIEW, buffer, offset, bytes, 0);
}
