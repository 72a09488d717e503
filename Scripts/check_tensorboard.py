#!/usr/bin/env python3
"""Validate TensorBoard event files written by SwiftGAN (or anything else).

Usage:
    python Scripts/check_tensorboard.py RUN_DIR [--expect-tag TAG ...] [--expect-images]

What it checks, for every ``events.out.tfevents.*`` file found (recursively)
under RUN_DIR:

1. TFRecord framing, verified independently of TensorBoard, byte by byte.
   Each record is::

       uint64 length            (little-endian)
       uint32 masked_crc32c(length bytes)
       bytes  data[length]
       uint32 masked_crc32c(data)

   where ``masked(crc) = (((crc >> 15) | (crc << 17)) + 0xa282ead8) mod 2**32``
   and CRC-32C uses the Castagnoli polynomial (reflected 0x82F63B78). The
   CRC-32C below is pure Python (table driven) and is self-tested against the
   standard check value ``crc32c(b"123456789") == 0xE3069283``.
2. Every record's data parses as a ``tensorboard.compat.proto.event_pb2.Event``
   and the first event of each file has ``file_version == "brain.Event:2"``.
3. The directory loads with ``tbparse.SummaryReader`` and with TensorBoard's
   own ``EventAccumulator`` (size_guidance 0 = keep everything for scalars and
   images). Per scalar tag, the number of points and the first/last
   (step, value) are printed for both readers.
4. ``--expect-tag TAG`` (repeatable): fail if TAG has no scalar points.
   ``--expect-images``: fail unless at least one image summary is found whose
   ``encoded_image_string`` starts with the PNG signature and whose
   width/height fields are set (> 0); any image that fails those checks is
   reported as a failure.

On success prints ``OK: N records, M scalar tags, K images`` and exits 0.
Otherwise prints each failure (file, record index, reason) and exits 1.
Requires the ``tensorboard`` and ``tbparse`` Python packages.
"""

import argparse
import glob
import os
import struct
import sys

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MASK_DELTA = 0xA282EAD8


# --------------------------------------------------------------------------
# CRC-32C (Castagnoli), pure Python, table driven.
# --------------------------------------------------------------------------
def _make_crc32c_table():
    poly = 0x82F63B78  # reflected form of 0x1EDC6F41
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _make_crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + MASK_DELTA) & 0xFFFFFFFF


def _self_test_crc():
    got = crc32c(b"123456789")
    if got != 0xE3069283:
        raise SystemExit(f"internal error: crc32c self-test gave {got:#010x}, expected 0xe3069283")


# --------------------------------------------------------------------------
# TFRecord framing + Event parsing
# --------------------------------------------------------------------------
def read_records(path, failures):
    """Return a list of record payloads; append framing failures."""
    with open(path, "rb") as f:
        buf = f.read()
    records = []
    pos = 0
    index = 0
    while pos < len(buf):
        if len(buf) - pos < 12:
            failures.append((path, index, f"truncated header at byte {pos}: {len(buf) - pos} bytes left, need 12"))
            break
        len_bytes = buf[pos:pos + 8]
        (length,) = struct.unpack("<Q", len_bytes)
        (len_crc,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        want = masked_crc32c(len_bytes)
        if len_crc != want:
            failures.append((path, index, f"length CRC mismatch at byte {pos}: stored {len_crc:#010x}, computed {want:#010x}"))
            break  # cannot trust length, stop scanning this file
        start = pos + 12
        end = start + length
        if end + 4 > len(buf):
            failures.append((path, index, f"truncated record at byte {pos}: length {length} but only {len(buf) - start} bytes follow"))
            break
        data = buf[start:end]
        (data_crc,) = struct.unpack("<I", buf[end:end + 4])
        want = masked_crc32c(data)
        if data_crc != want:
            failures.append((path, index, f"data CRC mismatch (length {length}, at byte {pos}): stored {data_crc:#010x}, computed {want:#010x}"))
        records.append((index, data))
        pos = end + 4
        index += 1
    return records


def check_png(img):
    """Return None if the Summary.Image looks like a valid PNG, else a reason."""
    enc = img.encoded_image_string
    if not enc.startswith(PNG_SIGNATURE):
        return f"encoded_image_string does not start with PNG signature (first bytes {enc[:8]!r})"
    if img.width <= 0 or img.height <= 0:
        return f"width/height not set (width={img.width}, height={img.height})"
    # The IHDR chunk must be first and agree with the declared size.
    if len(enc) >= 24 and enc[12:16] == b"IHDR":
        w, h = struct.unpack(">II", enc[16:24])
        if (w, h) != (img.width, img.height):
            return f"IHDR size {w}x{h} differs from summary width/height {img.width}x{img.height}"
    else:
        return "PNG has no IHDR chunk first"
    return None


def fmt_point(step, value):
    return f"(step {step}, {value:.6g})"


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Validate TensorBoard events.out.tfevents.* files under RUN_DIR.")
    ap.add_argument("run_dir", metavar="RUN_DIR")
    ap.add_argument("--expect-tag", action="append", default=[], metavar="TAG",
                    help="scalar tag that must be present (repeatable)")
    ap.add_argument("--expect-images", action="store_true",
                    help="require at least one valid PNG image summary")
    args = ap.parse_args(argv)

    _self_test_crc()

    from tensorboard.compat.proto import event_pb2

    failures = []  # (file, record index or None, reason)
    files = sorted(glob.glob(os.path.join(args.run_dir, "**", "events.out.tfevents.*"), recursive=True))
    if not files:
        print(f"FAIL: no events.out.tfevents.* files under {args.run_dir}")
        return 1

    total_records = 0
    raw_images_ok = 0
    raw_images_bad = 0
    raw_scalar_tags = set()
    for path in files:
        records = read_records(path, failures)
        total_records += len(records)
        print(f"{path}: {len(records)} records")
        if not records:
            failures.append((path, None, "file contains no records"))
            continue
        for index, data in records:
            ev = event_pb2.Event()
            try:
                ev.ParseFromString(data)
            except Exception as e:  # protobuf DecodeError and friends
                failures.append((path, index, f"not a valid Event protobuf: {e}"))
                continue
            if index == 0:
                if ev.WhichOneof("what") != "file_version" or ev.file_version != "brain.Event:2":
                    failures.append((path, 0, f"first event is not file_version 'brain.Event:2' (got {ev.WhichOneof('what')}: {ev.file_version!r})"))
            if ev.HasField("summary"):
                for v in ev.summary.value:
                    kind = v.WhichOneof("value")
                    if kind == "simple_value":
                        raw_scalar_tags.add(v.tag)
                    elif kind == "image":
                        reason = check_png(v.image)
                        if reason:
                            raw_images_bad += 1
                            failures.append((path, index, f"image tag {v.tag!r} step {ev.step}: {reason}"))
                        else:
                            raw_images_ok += 1

    # ---------------- tbparse ----------------
    tb_scalars = {}
    try:
        from tbparse import SummaryReader
        df = SummaryReader(args.run_dir).scalars
        print("\n[tbparse] scalars:")
        if len(df):
            for tag, g in df.groupby("tag", sort=True):
                g = g.sort_values("step")
                first, last = g.iloc[0], g.iloc[-1]
                tb_scalars[tag] = len(g)
                print(f"  {tag}: {len(g)} points, first {fmt_point(int(first.step), float(first.value))}, "
                      f"last {fmt_point(int(last.step), float(last.value))}")
        else:
            print("  (none)")
    except Exception as e:
        failures.append((args.run_dir, None, f"tbparse failed to load directory: {type(e).__name__}: {e}"))

    # ---------------- EventAccumulator ----------------
    ea_scalars = {}
    ea_images = 0
    try:
        from tensorboard.backend.event_processing import event_accumulator as ea_mod
        guidance = {ea_mod.SCALARS: 0, ea_mod.IMAGES: 0}
        print("\n[EventAccumulator] scalars:")
        for path in files:
            acc = ea_mod.EventAccumulator(path, size_guidance=guidance)
            acc.Reload()
            tags = acc.Tags()
            for tag in sorted(tags.get(ea_mod.SCALARS, [])):
                pts = acc.Scalars(tag)
                ea_scalars[tag] = ea_scalars.get(tag, 0) + len(pts)
                print(f"  {tag} [{os.path.relpath(path, args.run_dir)}]: {len(pts)} points, "
                      f"first {fmt_point(pts[0].step, pts[0].value)}, last {fmt_point(pts[-1].step, pts[-1].value)}")
            for tag in sorted(tags.get(ea_mod.IMAGES, [])):
                imgs = acc.Images(tag)
                ea_images += len(imgs)
                print(f"  image {tag}: {len(imgs)} images, first {imgs[0].width}x{imgs[0].height} at step {imgs[0].step}")
                for im in imgs:
                    if not im.encoded_image_string.startswith(PNG_SIGNATURE) or im.width <= 0 or im.height <= 0:
                        failures.append((path, None, f"EventAccumulator image {tag!r} step {im.step} is not a sized PNG"))
        if not ea_scalars:
            print("  (none)")
    except Exception as e:
        failures.append((args.run_dir, None, f"EventAccumulator failed: {type(e).__name__}: {e}"))

    # ---------------- expectations ----------------
    for tag in args.expect_tag:
        if tag not in ea_scalars and tag not in tb_scalars and tag not in raw_scalar_tags:
            failures.append((args.run_dir, None, f"expected scalar tag {tag!r} not found"))
        elif tag not in ea_scalars or tag not in tb_scalars:
            failures.append((args.run_dir, None, f"expected scalar tag {tag!r} missing from "
                             f"{'EventAccumulator' if tag not in ea_scalars else 'tbparse'}"))
    if args.expect_images and raw_images_ok == 0:
        failures.append((args.run_dir, None, "--expect-images: no image summary decodes as a sized PNG"))
    if set(ea_scalars) != set(tb_scalars) and not any("failed" in f[2] for f in failures):
        failures.append((args.run_dir, None, f"tbparse and EventAccumulator disagree on scalar tags: "
                         f"{sorted(set(tb_scalars) ^ set(ea_scalars))}"))

    print()
    if failures:
        for path, index, reason in failures:
            where = path if index is None else f"{path} record {index}"
            print(f"FAIL: {where}: {reason}")
        return 1
    print(f"OK: {total_records} records, {len(ea_scalars)} scalar tags, {raw_images_ok} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
