{
  "targets": [
    {
      "target_name": "tinyml",
      "sources": [
        "native/bindings/node/tinyml_node.c",
        "<!@(node scripts/native-sources.js)"
      ],
      "include_dirs": ["native/include", "native/core"],
      "defines": ["NAPI_VERSION=8", "TML_PROFILE"],  # per-op timing for interpreter.profile()
      # Our flags go in cflags_c: node's common.gypi strips -Werror from
      # "cflags" ("cflags!"), and cflags_c come after its -O3 so -O2 wins.
      # cflags_cc (C++-only flags such as -fno-rtti, -std=gnu++17) never
      # reach .c files.
      "cflags_c": ["-std=c99", "-Wall", "-Wextra", "-Wunused-parameter", "-Werror",
                   "-ffp-contract=off", "-O2"],
      "xcode_settings": {
        "GCC_C_LANGUAGE_STANDARD": "c99",
        "GCC_OPTIMIZATION_LEVEL": "2",
        "GCC_TREAT_WARNINGS_AS_ERRORS": "YES",
        "OTHER_CFLAGS": ["-Wall", "-Wextra", "-ffp-contract=off"]
      }
    },
    # The same addon with the optimized kernels (portable C path on the host),
    # for bench/host.js to time against the reference kernels.
    {
      "target_name": "tinyml_opt",
      "sources": [
        "native/bindings/node/tinyml_node.c",
        "<!@(node scripts/native-sources.js)"
      ],
      "include_dirs": ["native/include", "native/core"],
      "defines": ["NAPI_VERSION=8", "TML_KERNELS_OPTIMIZED"],
      # Our flags go in cflags_c: node's common.gypi strips -Werror from
      # "cflags" ("cflags!"), and cflags_c come after its -O3 so -O2 wins.
      # cflags_cc (C++-only flags such as -fno-rtti, -std=gnu++17) never
      # reach .c files.
      "cflags_c": ["-std=c99", "-Wall", "-Wextra", "-Wunused-parameter", "-Werror",
                   "-ffp-contract=off", "-O2"],
      "xcode_settings": {
        "GCC_C_LANGUAGE_STANDARD": "c99",
        "GCC_OPTIMIZATION_LEVEL": "2",
        "GCC_TREAT_WARNINGS_AS_ERRORS": "YES",
        "OTHER_CFLAGS": ["-Wall", "-Wextra", "-ffp-contract=off"]
      }
    }
  ]
}
