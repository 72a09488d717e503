#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include <jerror.h>

#include "cjpeg_shim.h"

struct error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int truncated;
};

static void on_error(j_common_ptr info) {
    struct error_manager *manager = (struct error_manager *)info->err;
    (*info->err->format_message)(info, manager->message);
    longjmp(manager->jump, 1);
}

static void on_message(j_common_ptr info) { (void)info; }

/* Warnings are otherwise silent; data that ends early (at the end of the
   file, or at a marker before the scan is complete: libjpeg then fills the
   rest of the image with gray) is remembered and fails the decode. */
static void on_emit(j_common_ptr info, int level) {
    struct error_manager *manager = (struct error_manager *)info->err;
    int code = info->err->msg_code;
    if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) manager->truncated = 1;
}

int swiftgan_jpeg_decode(const unsigned char *data, size_t size, size_t maximum_pixels, unsigned char **pixels,
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
    manager.base.emit_message = on_emit;
    manager.message[0] = 0;
    manager.truncated = 0;
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        snprintf(error, error_capacity, "%s", manager.message);
        return 0;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    /* Refuse a size the header claims before anything is allocated for it. */
    if (info.image_width == 0 || info.image_height == 0 || (size_t)info.image_width * (size_t)info.image_height > maximum_pixels) {
        snprintf(error, error_capacity, "the header claims %ux%u pixels, more than the limit of %zu (gan --max-pixels N raises it)",
                 info.image_width, info.image_height, maximum_pixels);
        jpeg_destroy_decompress(&info);
        return 0;
    }
    info.out_color_space = info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * (size_t)info.output_components;
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
    if (manager.truncated) {
        snprintf(error, error_capacity, "the data ends before the image does (truncated file)");
        jpeg_destroy_decompress(&info);
        free(buffer);
        return 0;
    }
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    *pixels = buffer;
    jpeg_destroy_decompress(&info);
    return 1;
}

void swiftgan_jpeg_free(unsigned char *pixels) { free(pixels); }
