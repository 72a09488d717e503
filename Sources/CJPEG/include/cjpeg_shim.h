// JPEG decoding through libjpeg(-turbo), with its longjmp error handling
// kept inside C so Swift only sees a return code and a message.
#ifndef SWIFTGAN_CJPEG_SHIM_H
#define SWIFTGAN_CJPEG_SHIM_H

#include <stddef.h>

/// Decodes a baseline or progressive JPEG to 8-bit gray (1 channel) or RGB
/// (3 channels). On success returns 1 and a malloc'ed pixel buffer the
/// caller frees with swiftgan_jpeg_free; on failure returns 0 and writes
/// libjpeg's message into `error`: for a header claiming more than
/// `maximum_pixels` pixels (before allocating), or data that ends early.
int swiftgan_jpeg_decode(const unsigned char *data, size_t size, size_t maximum_pixels, unsigned char **pixels,
                         int *width, int *height, int *channels, char *error, size_t error_capacity);

void swiftgan_jpeg_free(unsigned char *pixels);

#endif
