/*
 * verify — are two photographs the same person? The smallest complete use of libfacekit.so.
 *
 *   make native
 *   gcc -std=c99 -Ibin/native/include examples/native/verify.c -Lbin/native -lfacekit \
 *       -Wl,-rpath,"$PWD/bin/native" -o verify
 *   ./verify ~/.cache/facekit/models a.jpg b.jpg
 *
 * Exit status: 0 same person, 1 different, 2 bad input (message on stderr), 3 other failure.
 */
#include <facekit.h>

#include <stdio.h>
#include <stdlib.h>

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = buf && fread(buf, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
    fclose(f);
    return buf;
}

/* Template of the largest face in an image file; prints where the eyes are. */
static fk_status template_of(fk_handle *h, const char *path, fk_template *out)
{
    size_t len = 0;
    unsigned char *bytes = read_file(path, &len);
    if (!bytes) { fprintf(stderr, "%s: cannot read\n", path); return FK_ERR_INVALID_ARGUMENT; }
    fk_eyes eyes;
    fk_status s = fk_create_template(h, bytes, len, out, &eyes);
    free(bytes);
    if (s == FK_OK)
        printf("%s: eyes at (%.1f, %.1f) and (%.1f, %.1f)\n", path, eyes.left_eye_x, eyes.left_eye_y,
               eyes.right_eye_x, eyes.right_eye_y);
    else
        fprintf(stderr, "%s: %s: %s\n", path, fk_status_name(s), fk_last_error());
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: verify MODEL_DIR IMAGE_A IMAGE_B\n"); return 2; }

    int32_t major = 0, minor = 0;
    fk_version(&major, &minor, NULL);
    if (major != FK_API_VERSION_MAJOR || minor < FK_API_VERSION_MINOR) {
        fprintf(stderr, "libfacekit %d.%d does not match facekit.h %d.%d\n", major, minor,
                FK_API_VERSION_MAJOR, FK_API_VERSION_MINOR);
        return 3;
    }

    fk_handle *h = NULL;
    fk_status s = fk_init(argv[1], &h);
    if (s != FK_OK) { fprintf(stderr, "fk_init: %s: %s\n", fk_status_name(s), fk_last_error()); return 3; }

    int rc = 3;
    fk_template a = {0}, b = {0};
    double similarity = 0, threshold = 0;
    if ((s = template_of(h, argv[2], &a)) != FK_OK || (s = template_of(h, argv[3], &b)) != FK_OK) {
        rc = 2;
    } else if ((s = fk_match(h, &a, &b, &similarity)) != FK_OK || (s = fk_threshold(h, &threshold)) != FK_OK) {
        fprintf(stderr, "fk_match: %s: %s\n", fk_status_name(s), fk_last_error());
    } else {
        int same = similarity >= threshold;
        printf("similarity %.4f (threshold %.2f): %s\n", similarity, threshold, same ? "same person" : "different people");
        rc = same ? 0 : 1;
    }
    fk_free_template(&a);   /* every template the library made is freed by the library */
    fk_free_template(&b);
    fk_release(h);
    return rc;
}
