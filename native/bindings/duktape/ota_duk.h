/*
 * ota_duk.h - registers the global `__tinyml_ota` (ota_glue.h) on a Duktape
 * context, over an update store the board owns (ota_init + ota_boot done).
 */
#ifndef OTA_DUK_H
#define OTA_DUK_H

#include "duktape.h"
#include "ota.h"

void ota_duk_register(duk_context *ctx, ota_dev *d);

#endif /* OTA_DUK_H */
