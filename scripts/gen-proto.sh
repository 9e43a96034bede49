#!/usr/bin/env bash
# Regenerates src/onnx/proto/onnx_pb.ts from the pinned src/onnx/proto/onnx.proto with protobuf-es.
# buf and protoc-gen-es come from devDependencies (pinned in package-lock.json), so this runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
npx buf generate src/onnx/proto --template '{"version":"v2","plugins":[{"local":"protoc-gen-es","out":"src/onnx/proto","opt":["target=ts","import_extension=none"]}]}'
