#!/bin/false
# Espruino board file: Nordic's nRF52840 DK with the tinyml native module.
#
# It takes Espruino's own NRF52840DK board description unchanged (pins,
# chip, devices) and only adds the tinyml module through board.make. Copy
# this file into Espruino's boards/ directory, then build from Espruino's
# checkout (see boards/README.md of tinyml-ts):
#
#   make BOARD=TINYML_NRF52840DK TINYML_ROOT=/absolute/path/to/tinyml-ts RELEASE=1
#
# The same two 'makefile' lines added to another nRF52840 board file
# (BANGLEJS2, JOLTJS, ...) add the module to that board.
import copy
import importlib

_base = importlib.import_module("NRF52840DK")

info = copy.deepcopy(_base.info)
info['name'] = "nRF52840 DK with tinyml"
info['build']['makefile'] = info['build']['makefile'] + [
  # TINYML_ROOT must be the absolute path of the tinyml-ts checkout
  # (given on the make command line).
  'include $(TINYML_ROOT)/boards/nrf52840/board.make',
]

chip = _base.chip
devices = _base.devices
board = _base.board

def get_pins():
  return _base.get_pins()
