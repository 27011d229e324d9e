// The board API's types (docs/board-api.md) for apps that `tinyml build`
// compiles: tools/build.js names this directory as a type root, so the
// global `board` is declared wherever the app lives.
/// <reference path="../../../dist/types/board.d.ts" />
