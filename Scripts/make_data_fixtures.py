#!/usr/bin/env python3
"""Fixtures for SwiftGAN's data tests, made without libpng or SwiftGAN.

Writes Tests/SwiftGANDataTests/Fixtures/:
  *.png   small PNGs encoded here with Python's zlib (an independent encoder):
          8-bit gray, RGB with every filter type, RGBA, 16-bit gray, a
          palette image and an interlaced (Adam7) image;
  *.npy   arrays written by NumPy in format versions 1.0, 2.0 and 3.0, the
          four supported dtypes, a Fortran-ordered array and an unsupported dtype;
  *.npz   FID statistics (mu, sigma) as numpy.savez and numpy.savez_compressed write them;
  expected.json  the pixel values the PNGs hold.

Run from the repository root: python3 Scripts/make_data_fixtures.py (needs numpy).
"""
import json
import os
import struct
import zlib

import numpy as np

FIXTURES = os.path.join("Tests", "SwiftGANDataTests", "Fixtures")
os.makedirs(FIXTURES, exist_ok=True)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filtered(rows, bpp, filters):
    """Applies PNG filter types (one per row) to raw scanlines."""
    out = b""
    previous = bytes(len(rows[0]))
    for row, kind in zip(rows, filters):
        line = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            line.append((x - predictor) & 0xFF)
        out += bytes([kind]) + bytes(line)
        previous = row
    return out


def write_png(name, width, height, bit_depth, color_type, rows, bpp, filters=None, extra=b"", interlace=0, data=None):
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    if data is None:
        data = filtered(rows, bpp, filters or [0] * height)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", zlib.compress(data, 9)) + chunk(b"IEND", b"")
    with open(os.path.join(FIXTURES, name), "wb") as handle:
        handle.write(png)


expected = {}
# 8-bit gray 3x2.
gray = [[0, 128, 255], [10, 20, 30]]
write_png("gray8.png", 3, 2, 8, 0, [bytes(r) for r in gray], 1, [0, 1])
expected["gray8"] = {"width": 3, "height": 2, "channels": 1, "pixels": sum(gray, [])}
# RGB 4x5, each row with a different filter (None, Sub, Up, Average, Paeth).
rgb = [[(x * 40 + y * 7) % 256 for x in range(12)] for y in range(5)]
write_png("rgb_filters.png", 4, 5, 8, 2, [bytes(r) for r in rgb], 3, [0, 1, 2, 3, 4])
expected["rgb_filters"] = {"width": 4, "height": 5, "channels": 3, "pixels": sum(rgb, [])}
# RGBA 2x2.
rgba = [[255, 0, 0, 255, 0, 255, 0, 128], [0, 0, 255, 0, 9, 9, 9, 9]]
write_png("rgba.png", 2, 2, 8, 6, [bytes(r) for r in rgba], 4, [4, 3])
expected["rgba"] = {"width": 2, "height": 2, "channels": 4, "pixels": sum(rgba, [])}
# 16-bit gray 2x1: 0x0000 and 0xFFFF → 0 and 255 at 8 bits.
write_png("gray16.png", 2, 1, 16, 0, [bytes([0, 0, 255, 255])], 2)
expected["gray16"] = {"width": 2, "height": 1, "channels": 1, "pixels": [0, 255]}
# Palette 2x2 with three colours (bit depth 8).
palette = chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))
write_png("palette.png", 2, 2, 8, 3, [bytes([0, 1]), bytes([2, 0])], 1, extra=palette)
expected["palette"] = {"width": 2, "height": 2, "channels": 3, "pixels": [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0]}
# Interlaced (Adam7) 8-bit gray 3x3: pass images written by hand.
image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
data = b""
for x0, y0, dx, dy in passes:
    rows = [bytes(image[y][x] for x in range(x0, 3, dx)) for y in range(y0, 3, dy)]
    rows = [r for r in rows if r]
    if rows:
        data += b"".join(b"\x00" + r for r in rows)
write_png("interlaced.png", 3, 3, 8, 0, None, 1, interlace=1, data=data)
expected["interlaced"] = {"width": 3, "height": 3, "channels": 1, "pixels": sum(image, [])}
with open(os.path.join(FIXTURES, "expected.json"), "w") as handle:
    json.dump(expected, handle, indent=1, sort_keys=True)
    handle.write("\n")

# .npy files written by NumPy.
arrays = {
    "f4": np.arange(6, dtype="<f4").reshape(2, 3) / 8,
    "f8": np.array([[1.5], [-2.25], [1e10]], dtype="<f8"),
    "u1": np.array([0, 7, 255], dtype="|u1"),
    "i8": np.arange(-4, 4, dtype="<i8").reshape(2, 2, 2),
    "scalar": np.array(3.5, dtype="<f4"),
}
for name, array in arrays.items():
    np.save(os.path.join(FIXTURES, f"{name}.npy"), array)
for version in [(2, 0), (3, 0)]:
    with open(os.path.join(FIXTURES, f"v{version[0]}.npy"), "wb") as handle:
        np.lib.format.write_array(handle, arrays["f4"], version=version)
np.save(os.path.join(FIXTURES, "fortran.npy"), np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
np.save(os.path.join(FIXTURES, "complex.npy"), np.array([1 + 2j], dtype="<c8"))

# .npz archives as pytorch-fid writes reference statistics: stored (savez) and deflated (savez_compressed).
mu = np.array([0.5, -1.25, 3.0])
sigma = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.25], [0.0, -0.25, 4.0]])
np.savez(os.path.join(FIXTURES, "stats.npz"), mu=mu, sigma=sigma)
np.savez_compressed(os.path.join(FIXTURES, "stats_compressed.npz"), mu=mu, sigma=sigma, extra=np.arange(1000, dtype="<f4"))
print("wrote fixtures to", FIXTURES)

# JPEGs encoded by libjpeg-turbo's command-line cjpeg (Debian libjpeg-turbo-progs),
# with djpeg's decoding as the expected pixels.
import shutil
import subprocess

if shutil.which("cjpeg") and shutil.which("djpeg"):
    color = bytes((x * 30 + y * 5 + c * 60) % 256 for y in range(6) for x in range(8) for c in range(3))
    gray = bytes((x * 30 + y * 20) % 256 for y in range(6) for x in range(8))
    for name, magic, pixels in [("color", b"P6", color), ("gray", b"P5", gray)]:
        source = magic + b"\n8 6\n255\n" + pixels
        jpeg = subprocess.run(["cjpeg", "-quality", "90"], input=source, capture_output=True, check=True).stdout
        with open(os.path.join(FIXTURES, f"{name}.jpg"), "wb") as handle:
            handle.write(jpeg)
        decoded = subprocess.run(["djpeg", "-pnm"], input=jpeg, capture_output=True, check=True).stdout
        with open(os.path.join(FIXTURES, f"{name}.jpg.pnm"), "wb") as handle:
            handle.write(decoded)
else:
    print("cjpeg/djpeg not found: JPEG fixtures left as they are (apt-get install libjpeg-turbo-progs)")
