#!/usr/bin/env bash
# Writes the fuzzing seed corpora into Fuzz/Corpus/<target>/: valid files
# written by the library (gan-fuzz --write-seeds), the small test fixtures,
# and the malformed inputs that once crashed or exhausted `gan` (issue #24),
# which the corpus replay in the tests keeps from coming back. Inputs a
# fuzzing run found (found-*, added by hand with the fix) are kept.
# Usage: Scripts/make_fuzz_corpus.sh [python]   (python with numpy; default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-python3}"
corpus=Fuzz/Corpus
swift build --product gan-fuzz >/dev/null
[ -d "$corpus" ] && find "$corpus" -type f ! -name 'found-*' -delete
"$(swift build --show-bin-path)/gan-fuzz" --write-seeds "$corpus"
cp Tests/SwiftGANDataTests/Fixtures/*.npy "$corpus/npy/"
cp Tests/SwiftGANDataTests/Fixtures/*.png "$corpus/png/"
mkdir -p "$corpus/jpeg"
cp Tests/SwiftGANDataTests/Fixtures/*.jpg "$corpus/jpeg/"
cp Tests/SwiftGANNNTests/Fixtures/python_bf16.safetensors Tests/SwiftGANNNTests/Fixtures/tiny_dcgan_generator.safetensors "$corpus/safetensors/"
"$python" - "$corpus" <<'PY'
import gzip, json, struct, sys
corpus = sys.argv[1]
def put(target, name, data):
    open(f"{corpus}/{target}/{name}", "wb").write(data)

# .npy whose shape's byte count overflows.
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3037000500, 3037000500), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
put("npy", "bad-overflow.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 4)

# IDX: a gzip bomb (256 2x2 images declared, 16 MB follow) and an honest header too large for memory.
idx = lambda shape: bytes([0, 0, 8, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)
put("idx", "bad-bomb.gz", gzip.compress(idx([256, 2, 2]) + bytes(16 << 20)))
put("idx", "bad-huge.gz", gzip.compress(idx([2_000_000_000, 28, 28]) + bytes(1000)))

# JPEG: a header claiming 8192x8192, and data cut inside the scan.
jpeg = open(f"{corpus}/jpeg/color.jpg", "rb").read()
frame = next(i for i in range(len(jpeg) - 1) if jpeg[i] == 0xFF and jpeg[i + 1] in (0xC0, 0xC2))
put("jpeg", "bad-huge.jpg", jpeg[:frame + 5] + b"\x20\x00\x20\x00" + jpeg[frame + 9:])
scan = jpeg.index(b"\xff\xda")
put("jpeg", "bad-cut.jpg", jpeg[:scan + (len(jpeg) - scan) // 2])

# Checkpoints with malformed metadata or optimizer state (the ring8 width-8 seed, edited).
def read_safetensors(data):
    length = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + length]), data[8 + length:]
def write_safetensors(header, buffer):
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + buffer
seed = open(f"{corpus}/checkpoint/ring8-width8.safetensors", "rb").read()
for name, key, value in [("loader-step-huge", "swiftgan.loader_step", "999999999999"), ("loader-step-negative", "swiftgan.loader_step", "-7"),
                         ("step-negative", "swiftgan.step", "-7"), ("rng-zero", "swiftgan.rng", "0,0,0,0"),
                         ("loader-epoch-huge", "swiftgan.loader_epoch", "9223372036854775807")]:
    header, buffer = read_safetensors(seed)
    header["__metadata__"][key] = value
    put("checkpoint", f"bad-{name}.safetensors", write_safetensors(header, buffer))
header, buffer = read_safetensors(seed)
entry = header["optimizer_g.step_count"]
begin, end = entry["data_offsets"]
nan = struct.pack("<d", float("nan")) if entry["dtype"] == "F64" else struct.pack("<q", -5)
put("checkpoint", "bad-step-count.safetensors", write_safetensors(header, buffer[:begin] + nan[:end - begin] + buffer[end:]))
header, buffer = read_safetensors(seed)
kept, packed = {"__metadata__": header["__metadata__"]}, b""
for key, entry in sorted((k, v) for k, v in header.items() if k != "__metadata__" and not k.startswith("optimizer_g.state.1.")):
    begin, end = entry["data_offsets"]
    kept[key] = dict(entry, data_offsets=[len(packed), len(packed) + end - begin])
    packed += buffer[begin:end]
assert len(kept) < len(header), "the seed checkpoint has no optimizer state to drop"
put("checkpoint", "bad-missing-state.safetensors", write_safetensors(kept, packed))

# config.json values that once trapped or exhausted memory, in the flat layout and in the nested one of runs before 0.10.
run = json.load(open(f"{corpus}/config/run.json"))
legacy = json.load(open(f"{corpus}/config/legacy-run.json"))
for name, key, section, old_key, value in [("width-negative", "width", "model", "width", -3),
                                           ("latent-zero", "latent_dim", "model", "latentDimension", 0),
                                           ("width-huge", "width", "model", "width", 1_000_000_000),
                                           ("mixture-negative", "mixture_count", "data", "mixtureCount", -5),
                                           ("shape-huge", "image_shape", "model", "imageShape", [1, 1 << 40, 1 << 40]),
                                           ("seed-text", "seed", "training", "seed", "zero")]:
    edited = dict(run, **{key: value})
    put("config", f"bad-{name}.json", json.dumps(edited).encode())
    edited = json.loads(json.dumps(legacy))
    edited[section][old_key] = value
    put("config", f"bad-legacy-{name}.json", json.dumps(edited).encode())
PY
du -sh "$corpus"/*
