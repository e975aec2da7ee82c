{
  "targets": [
    {
      "target_name": "pktstat_drain",
      "sources": [
        "addon/src/parser.cc",
        "addon/src/proc_files.cc",
        "addon/src/drain_thread.cc",
        "addon/src/binding.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wunused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++1y"],
      "libraries": ["-lpthread"]
    }
  ]
}
