{
  "targets": [
    {
      "target_name": "integral_lab_native",
      "sources": ["src/addon.cc", "src/runtime.cc", "src/convolution.cc", "src/pooling.cc", "src/matmul.cc", "src/edge_pad.cc", "src/reduce.cc", "src/optimizer.cc"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"]
    }
  ]
}
