/*
 * facekit.h — the C API of FaceKit (libfacekit.so), face recognition: detect → align → embed → match.
 *
 * Build:   make native            (dotnet publish src/FaceKit.Native -c Release -o bin/native)
 * Ships:   bin/native/libfacekit.so + libonnxruntime*.so, libOpenCvSharpExtern.so, libe_sqlite3.so
 *          (must stay in the same folder: libfacekit.so has RUNPATH $ORIGIN) and bin/native/include/facekit.h.
 * Link:    gcc app.c -Ibin/native/include -Lbin/native -lfacekit -Wl,-rpath,'$ORIGIN/..'   (or dlopen it)
 *
 * Conventions (all functions)
 *   - Every function except fk_last_error() and fk_status_name() returns an fk_status; FK_OK is 0.
 *     On failure fk_last_error() gives a one-line message for the calling thread.
 *   - No exception or signal ever leaves the library for a bad argument: NULL pointers, zero
 *     lengths, unknown enum values, garbage bytes, stale or foreign handles and templates of
 *     another version all come back as status codes. (A non-NULL pointer that does not point at
 *     `len` readable bytes cannot be detected by any C library and is undefined behaviour.)
 *   - Output parameters are written only on FK_OK, except where a function says otherwise
 *     (eye positions are reported also with FK_ERR_NO_FACE).
 *   - Ownership: whatever the library allocates is returned through an out parameter and freed
 *     by the matching fk_free_* / fk_release / fk_gallery_close. Input buffers are only read
 *     during the call and never kept.
 *   - Strings are UTF-8, NUL-terminated.
 *
 * Thread safety
 *   - fk_handle and fk_gallery may be shared by any number of threads: all functions that take
 *     them may run concurrently on the same object, EXCEPT fk_release / fk_gallery_close, which
 *     wait for calls in flight to finish and make the object unusable afterwards (later calls
 *     with it return FK_ERR_INVALID_HANDLE rather than crash).
 *   - fk_template / fk_candidate values belong to the caller: do not free one while another
 *     thread reads it.
 *   - fk_last_error() is per thread.
 *
 * ABI / versioning
 *   - FK_API_VERSION_MAJOR changes only with an incompatible change (a removed or changed
 *     function, struct layout or status value). Minor versions only add functions, status codes
 *     and format values. fk_version() reports the library's version: check that its major
 *     equals the header's FK_API_VERSION_MAJOR and its minor is >= the header's minor.
 *   - Templates carry their own format version (FK_TEMPLATE_FORMAT_VERSION) and the id of the
 *     embedder model that made them; a template of another format version or a corrupt one gives
 *     FK_ERR_TEMPLATE_VERSION / FK_ERR_BAD_TEMPLATE, and templates of different models give
 *     FK_ERR_MODEL_MISMATCH, never a meaningless score.
 */
#ifndef FACEKIT_H
#define FACEKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FK_API_VERSION_MAJOR 1
#define FK_API_VERSION_MINOR 0
#define FK_API_VERSION_PATCH 0

/* ---------------------------------------------------------------------------------------------
 * Status codes (stable values; new ones may be added in minor versions, treat unknown as error).
 * ------------------------------------------------------------------------------------------- */
typedef int32_t fk_status;

#define FK_OK                     0
#define FK_ERR_INVALID_ARGUMENT   1  /* NULL pointer, zero length, k < 1, unknown pixel format, ...   */
#define FK_ERR_INVALID_HANDLE     2  /* handle/gallery NULL, never created, or already released        */
#define FK_ERR_BAD_IMAGE          3  /* image bytes cannot be decoded, or raw pixel geometry is wrong  */
#define FK_ERR_NO_FACE            4  /* a valid image with no detectable face                          */
#define FK_ERR_BAD_TEMPLATE       5  /* not a FaceKit template (wrong magic, size, dimension, values)  */
#define FK_ERR_TEMPLATE_VERSION   6  /* a FaceKit template of a format version this library can't read */
#define FK_ERR_MODEL_MISMATCH     7  /* templates (or template and gallery) come from different models */
#define FK_ERR_MODEL_MISSING      8  /* fk_init: model files missing or unreadable                     */
#define FK_ERR_NOT_FOUND          9  /* gallery: no such subject                                        */
#define FK_ERR_STORAGE           10  /* gallery file cannot be opened/written (locked, read-only, corrupt) */
#define FK_ERR_CONFIG            11  /* fk_init: configuration file unreadable or invalid               */
#define FK_ERR_INTERNAL          99  /* a bug or an unexpected failure inside FaceKit                    */

/* ---------------------------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------------------------- */

/* A loaded recognition pipeline (detector, landmarker, embedder). Opaque. */
typedef struct fk_handle fk_handle;

/* An enrolment gallery (one SQLite file). Opaque. */
typedef struct fk_gallery fk_gallery;

/*
 * A template: a self-describing byte blob that can be stored (file, database) and compared later.
 * Layout (little-endian), FK_TEMPLATE_FORMAT_VERSION 1:
 *   0  char[4]  magic "FKTP"
 *   4  uint16   format version (1)
 *   6  uint16   element type (1 = float32)
 *   8  uint32   dim, number of values (1..4096)
 *  12  uint32   number of images averaged into it (>= 1)
 *  16  uint32   n, length of the model id in bytes (1..256)
 *  20  char[n]  embedder model id, UTF-8, e.g. "faceplugin/fr_feature@0.0.1"
 * 20+n float32[dim] L2-normalised embedding
 * Templates made by the library are freed with fk_free_template(). A caller may also fill
 * `data`/`size` with bytes it owns (e.g. read back from storage) to pass a template in; never
 * call fk_free_template() on such a one.
 */
typedef struct fk_template {
    uint8_t *data;
    size_t size;
} fk_template;

#define FK_TEMPLATE_FORMAT_VERSION 1

/* Pixel layouts for raw images: 8 bits per channel, rows `stride` bytes apart (0 = tightly packed). */
#define FK_PIXEL_BGR24 1
#define FK_PIXEL_RGB24 2
#define FK_PIXEL_GRAY8 3

/*
 * What was found in one image. Coordinates are pixels of the image as given (x right, y down).
 * left_eye is the eye on the image's left (the subject's right eye), as in the ArcFace order.
 */
typedef struct fk_eyes {
    int32_t face_found;          /* 1 when a face was found (the largest one is used), else 0 */
    float left_eye_x, left_eye_y;
    float right_eye_x, right_eye_y;
    float box_x, box_y, box_width, box_height;  /* the face box */
    float score;                 /* detector confidence, 0..1 */
} fk_eyes;

/* One image for fk_create_template_multi(). format 0 = encoded bytes (JPEG/PNG/BMP/WebP/TIFF/PNM,
 * `size` bytes, width/height/stride ignored); otherwise an FK_PIXEL_* layout with `data` holding at
 * least stride*(height-1) + width*channels bytes (size may be 0 then, or that many bytes or more). */
#define FK_IMAGE_ENCODED 0
typedef struct fk_image {
    const uint8_t *data;
    size_t size;
    int32_t format;
    int32_t width;
    int32_t height;
    int32_t stride;
} fk_image;

/* One identification candidate. */
typedef struct fk_candidate {
    const char *subject_id;      /* owned by the candidate array; valid until fk_free_candidates() */
    double similarity;           /* cosine similarity of the subject's best template, -1..1 */
    int64_t template_id;         /* which stored template matched best */
} fk_candidate;

/* ---------------------------------------------------------------------------------------------
 * Library
 * ------------------------------------------------------------------------------------------- */

/* Library API version. Any of the pointers may be NULL. Thread-safe. */
fk_status fk_version(int32_t *major, int32_t *minor, int32_t *patch);

/*
 * The last error message of the calling thread ("" when the last call succeeded or none was
 * made). The string is owned by the library and valid until the thread's next fk_* call.
 * Never NULL. Thread-safe (per thread).
 */
const char *fk_last_error(void);

/* A constant name for a status, e.g. "FK_ERR_NO_FACE" ("FK_UNKNOWN" for other values). Thread-safe. */
const char *fk_status_name(fk_status status);

/*
 * Loads the models. `config_or_model_dir` is either the folder of installed models
 * (`facekit models install` puts them in ~/.cache/facekit/models) or a JSON file:
 *   { "model_directory": "models",        (required; relative to the file's folder)
 *     "detector": "ultraface", "landmarker": "landmark68", "embedder": "faceplugin",
 *     "flip_fusion": false, "intra_op_threads": 0 }
 * On FK_OK *out receives a handle to free with fk_release(). Loading takes a while: create one
 * handle and share it between threads. Thread-safe.
 */
fk_status fk_init(const char *config_or_model_dir, fk_handle **out);

/* Frees a handle. Waits for calls in flight on it; afterwards it is invalid. NULL is accepted (FK_OK). */
fk_status fk_release(fk_handle *handle);

/* The embedder model id of templates this handle makes ("faceplugin/fr_feature@0.0.1").
 * Written into `buffer` (NUL-terminated); FK_ERR_INVALID_ARGUMENT if `capacity` is too small. */
fk_status fk_model_id(fk_handle *handle, char *buffer, size_t capacity);

/* The recommended verification threshold for this handle's model: same person when
 * similarity >= threshold. Thread-safe. */
fk_status fk_threshold(fk_handle *handle, double *threshold);

/* ---------------------------------------------------------------------------------------------
 * Templates (all thread-safe on a shared handle)
 * ------------------------------------------------------------------------------------------- */

/*
 * Template of the largest face in an encoded image (JPEG, PNG, BMP, WebP, TIFF, PNM).
 * `out_eyes` may be NULL; when given it is filled on FK_OK and on FK_ERR_NO_FACE (face_found = 0).
 * On FK_OK *out holds a new template: free it with fk_free_template().
 * Errors: FK_ERR_INVALID_ARGUMENT (NULL/zero length), FK_ERR_BAD_IMAGE, FK_ERR_NO_FACE.
 */
fk_status fk_create_template(fk_handle *handle, const uint8_t *encoded_image, size_t len,
                             fk_template *out, fk_eyes *out_eyes);

/* As fk_create_template(), from raw pixels (FK_PIXEL_*; stride 0 = width * channels). `pixels`
 * must hold stride*(height-1) + width*channels bytes. */
fk_status fk_create_template_raw(fk_handle *handle, const uint8_t *pixels, int32_t width, int32_t height,
                                 int32_t stride, int32_t format, fk_template *out, fk_eyes *out_eyes);

/*
 * One template from several images of one person (FRVT-style multi-image template): the
 * average of the per-image embeddings, re-normalised. Images with no face are skipped
 * (out_eyes[i].face_found = 0); FK_ERR_NO_FACE only when no image has a face. An image that
 * cannot be decoded fails the whole call (FK_ERR_BAD_IMAGE, message names its index).
 * `out_eyes` may be NULL, else an array of `count` entries.
 */
fk_status fk_create_template_multi(fk_handle *handle, const fk_image *images, size_t count,
                                   fk_template *out, fk_eyes *out_eyes);

/*
 * Cosine similarity of two templates in -1..1 (same person when >= fk_threshold()).
 * Errors: FK_ERR_BAD_TEMPLATE, FK_ERR_TEMPLATE_VERSION, FK_ERR_MODEL_MISMATCH.
 */
fk_status fk_match(fk_handle *handle, const fk_template *a, const fk_template *b, double *similarity);

/* Checks a template without comparing it; optional outputs (may be NULL): dimension and how
 * many images it averages. */
fk_status fk_template_info(const fk_template *t, int32_t *dimension, int32_t *image_count);

/* Frees a template the library made and sets data = NULL, size = 0. NULL or an empty template
 * is accepted (FK_OK). Never pass a template whose bytes the caller allocated. */
fk_status fk_free_template(fk_template *t);

/* ---------------------------------------------------------------------------------------------
 * Gallery (a SQLite file; several handles and processes may share it)
 * ------------------------------------------------------------------------------------------- */

/* Opens or creates the gallery file at `path`. Free with fk_gallery_close(). Thread-safe. */
fk_status fk_gallery_open(const char *path, fk_gallery **out);

/* Closes a gallery; waits for calls in flight. NULL is accepted (FK_OK). */
fk_status fk_gallery_close(fk_gallery *gallery);

/* Adds a template to the subject `subject_id` (created when new; 1..200 characters, no control
 * characters). The first template binds the gallery to its model: templates of another model
 * give FK_ERR_MODEL_MISMATCH. Thread-safe. */
fk_status fk_enroll(fk_gallery *gallery, const char *subject_id, const fk_template *t);

/*
 * The `k` most similar subjects, best first (a subject scores its best template). On FK_OK
 * *candidates is an array of *count entries (*count may be 0 with an empty gallery, and then
 * *candidates is NULL); free it with fk_free_candidates(). Thread-safe.
 */
fk_status fk_identify(fk_gallery *gallery, const fk_template *probe, int32_t k,
                      fk_candidate **candidates, size_t *count);

/* Frees an array from fk_identify(). NULL is accepted (FK_OK). */
fk_status fk_free_candidates(fk_candidate *candidates);

/* Removes a subject and all its templates. FK_ERR_NOT_FOUND when there is none. Thread-safe. */
fk_status fk_gallery_remove(fk_gallery *gallery, const char *subject_id);

/* Number of templates stored over all subjects. Thread-safe. */
fk_status fk_gallery_count(fk_gallery *gallery, int64_t *templates);

#ifdef __cplusplus
}
#endif

#endif /* FACEKIT_H */
