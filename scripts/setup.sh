#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for tinyml-ts: system packages, npm
# dependencies (which build the Node addon), the bundles and the Duktape
# runner; then runs the hello_world demo on Node and on Duktape.
set -euo pipefail
cd "$(dirname "$0")/.."

# duktape-dev: Duktape sources for the ES5 engine; build-essential/python3: node-gyp.
PACKAGES="duktape-dev build-essential python3 clang libclang-rt-14-dev qemu-system-arm gcc-arm-none-eabi picolibc-arm-none-eabi"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing$missing"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

npm ci
npm run demo
