# tinyml.make - adds the tinyml native module to an Espruino build.
#
# Include it from a board file's 'makefile' list:
#     'TINYML_ROOT=/absolute/path/to/tinyml-ts',
#     'include $(TINYML_ROOT)/native/bindings/espruino/tinyml.make',
# or from the command line, for any board (SETDEFINES is included right
# after the board's settings):
#     make BOARD=LINUX TINYML_ROOT=/abs/path/to/tinyml-ts \
#          SETDEFINES=/abs/path/to/tinyml-ts/native/bindings/espruino/tinyml.make
#
# What it adds: require("tinyml") and the global __tinyml_native
# (jswrap_tinyml.c), the C core, the op adapters and the kernels of the
# chosen backend. Variables only, no rules, so it can be included anywhere
# before Espruino's own rules.
#
#   TINYML_ROOT     absolute path of the tinyml-ts checkout (required)
#   TINYML_KERNELS  kernel directory under native/kernels (default: reference)

ifndef TINYML_ROOT
$(error tinyml.make: set TINYML_ROOT to the absolute path of the tinyml-ts checkout)
endif
TINYML_KERNELS ?= reference

TINYML_SOURCES := $(sort $(shell find $(TINYML_ROOT)/native/core $(TINYML_ROOT)/native/ops \
                    $(TINYML_ROOT)/native/kernels/$(TINYML_KERNELS) -name '*.c' 2>/dev/null))
ifeq ($(TINYML_SOURCES),)
$(error tinyml.make: no C sources under $(TINYML_ROOT)/native)
endif

WRAPPERSOURCES += $(TINYML_ROOT)/native/bindings/espruino/jswrap_tinyml.c
SOURCES += $(TINYML_SOURCES)
INCLUDE += -I$(TINYML_ROOT)/native/include -I$(TINYML_ROOT)/native/core

# Our objects: no fused multiply-add (float kernels must round like the
# reference), and Espruino's -Wconversion does not apply to our code (it is
# kept -Wall -Wextra -Werror clean with gcc and clang in its own build).
TINYML_OBJS := $(patsubst %.c,$(OBJDIR)/%.o,$(TINYML_SOURCES) \
                 $(TINYML_ROOT)/native/bindings/espruino/jswrap_tinyml.c)
$(TINYML_OBJS): CFLAGS += -ffp-contract=off -Wno-conversion -Wno-sign-conversion
