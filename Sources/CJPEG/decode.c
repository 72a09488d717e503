#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

#include "cjpeg_shim.h"

struct error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void on_error(j_common_ptr info) {
    struct error_manager *manager = (struct error_manager *)info->err;
    (*info->err->format_message)(info, manager->message);
    longjmp(manager->jump, 1);
}

static void on_message(j_common_ptr info) { (void)info; }

int swiftgan_jpeg_decode(const unsigned char *data, size_t size, unsigned char **pixels,
                         int *width, int *height, int *channels, char *error, size_t error_capacity) {
    struct jpeg_decompress_struct info;
    struct error_manager manager;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    if (size == 0) {
        snprintf(error, error_capacity, "empty JPEG data");
        return 0;
    }
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = on_error;
    manager.base.output_message = on_message;
    manager.message[0] = 0;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        snprintf(error, error_capacity, "%s", manager.message);
        return 0;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * (size_t)info.output_components;
    if (info.output_width == 0 || info.output_height == 0 || stride * info.output_height > ((size_t)1 << 30)) {
        snprintf(error, error_capacity, "implausible JPEG size %ux%u", info.output_width, info.output_height);
        jpeg_destroy_decompress(&info);
        return 0;
    }
    buffer = malloc(stride * info.output_height);
    if (buffer == NULL) {
        snprintf(error, error_capacity, "out of memory");
        jpeg_destroy_decompress(&info);
        return 0;
    }
    while (info.output_scanline < info.output_height) {
        unsigned char *row = buffer + (size_t)info.output_scanline * stride;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    *pixels = buffer;
    jpeg_destroy_decompress(&info);
    return 1;
}

void swiftgan_jpeg_free(unsigned char *pixels) { free(pixels); }
