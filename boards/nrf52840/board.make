# board.make - the tinyml module in an nRF52840 Espruino build.
# Included from the board file's 'makefile' list (TINYML_NRF52840DK.py);
# TINYML_ROOT is the absolute path of the tinyml-ts checkout.
#
#   TINYML_KERNELS   kernel directory under native/kernels (default: reference)

ifndef TINYML_ROOT
$(error board.make: give TINYML_ROOT=/absolute/path/to/tinyml-ts on the make command line)
endif

TINYML_KERNELS ?= reference
include $(TINYML_ROOT)/native/bindings/espruino/tinyml.make
