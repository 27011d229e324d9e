/*
 * jswrap_tinyml.h - the Espruino face of tinyml.h (see jswrap_tinyml.c).
 * Espruino's wrapper generator includes this header next to the .c file.
 */
#ifndef JSWRAP_TINYML_H
#define JSWRAP_TINYML_H

#include "jsvar.h"

JsVar *jswrap_tinyml_arena(JsVar *size);
JsVar *jswrap_tinyml_load(JsVar *arena, JsVar *model, JsVar *program, JsVar *sharedAt);
JsVar *jswrap_tinyml_invoke(JsVar *arena, JsVar *onError);
JsVar *jswrap_tinyml_reset(JsVar *arena);
JsVar *jswrap_tinyml_info(JsVar *arena, JsVar *key);
JsVar *jswrap_tinyml_view(JsVar *buffer, JsVar *offset, JsVar *bytes);
JsVar *jswrap_tinyml_global(void);

#endif /* JSWRAP_TINYML_H */
