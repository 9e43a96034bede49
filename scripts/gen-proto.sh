#!/usr/bin/env bash
# Regenerates src/onnx/proto/onnx_pb.ts from the pinned src/onnx/proto/onnx.proto with protobuf-es.
# buf and protoc-gen-es are fetched at the pinned versions by npx (npm registry) only when this runs, so
# the ~100 MB of buf binaries stay out of every install. Keep protoc-gen-es equal to @bufbuild/protobuf.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --yes -p @bufbuild/buf@1.75.0 -p @bufbuild/protoc-gen-es@2.17.0 -- buf generate src/onnx/proto \
  --template '{"version":"v2","plugins":[{"local":"protoc-gen-es","out":"src/onnx/proto","opt":["target=ts","import_extension=none"]}]}'
