#!/usr/bin/env bash
# Builds SwiftGAN as another package would use it: a versioned git
# dependency (a tag on a scratch clone of this repository's HEAD), from a
# scratch package whose executable trains two steps of the 2-D GAN through
# the library products. SwiftPM refuses unsafe build flags in such a
# dependency, so this fails if a library product ever needs one.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone -q --no-hardlinks . "$work/SwiftGAN"
git -C "$work/SwiftGAN" tag 1.0.0

mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$work/SwiftGAN", from: "1.0.0")],
    targets: [
        .executableTarget(name: "consumer", dependencies: [
            .product(name: "SwiftGANTraining", package: "SwiftGAN"),
            .product(name: "SwiftGANTensor", package: "SwiftGAN"),
        ]),
    ]
)
MANIFEST
cat > "$work/consumer/Sources/consumer/main.swift" <<'SOURCE'
import SwiftGANTensor
import SwiftGANTraining

var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
var training = TrainingConfig(seed: 1)
Preset.mixture2d.apply(to: &model, &training)
training.batchSize = 16
let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8"))
let trainer = try Trainer(config: config, dataset: try config.data.load(seed: 1))
let metrics = try withExecutionContext(threads: 1) { try trainer.trainStep() }
print("consumer: step \(metrics.step), D loss \(metrics.discriminatorLoss)")
SOURCE

(cd "$work/consumer" && swift build -c release 2>&1 | tail -3 && .build/release/consumer)
