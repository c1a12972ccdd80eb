"""cc_proto: C++ code for .proto files with the system protoc, without rules_proto.

    cc_proto(name = "foo_cc_proto", srcs = ["foo.proto"], deps = [":bar_cc_proto"])

runs `protoc --cpp_out` on srcs (imports are resolved from the workspace root, so a
.proto imports another as "core/rachis/rachis.proto") and wraps the generated files in a
cc_library. `deps` are other cc_proto targets whose .proto files srcs import; their
sources are passed to protoc as inputs through `proto_deps`.
"""

def cc_proto(name, srcs, deps = [], proto_deps = [], visibility = None, testonly = False):
    pkg = native.package_name()
    hdrs = [s[:-len(".proto")] + ".pb.h" for s in srcs]
    ccs = [s[:-len(".proto")] + ".pb.cc" for s in srcs]
    prefix = (pkg + "/") if pkg else ""
    native.genrule(
        name = name + "_gen",
        srcs = srcs + proto_deps,
        outs = hdrs + ccs,
        cmd = "protoc --proto_path=. --cpp_out=$(GENDIR) " +
              " ".join([prefix + s for s in srcs]),
        testonly = testonly,
    )
    native.cc_library(
        name = name,
        srcs = ccs,
        hdrs = hdrs,
        deps = deps + ["@system_libs//:protobuf"],
        visibility = visibility,
        testonly = testonly,
    )
