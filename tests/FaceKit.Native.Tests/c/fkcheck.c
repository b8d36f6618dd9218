/*
 * fkcheck — the C side of FaceKit.Native.Tests: drives libfacekit.so through include/facekit.h only.
 * Compiled by gcc during the test run and linked against bin/native/libfacekit.so.
 *
 *   fkcheck pairs   MODEL_DIR IMAGE_ROOT PAIRS_CSV     one line per pair: "pair A,B,SAME,SIMILARITY"
 *   fkcheck gallery MODEL_DIR IMAGE_ROOT DB            enrol/identify/remove/multi-image checks
 *   fkcheck raw     MODEL_DIR IMAGE RAW_BGR_FILE       raw-pixel templates == encoded-image template
 *   fkcheck threads MODEL_DIR IMAGE                    one handle shared by 4 threads
 *   fkcheck bad     MODEL_DIR IMAGE TMPDIR             bad input → status codes, no crash
 * Exit status: 0 when every check passed; check lines start with "ok " or "FAIL ".
 */
#include <facekit.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void check(int cond, const char *name, const char *detail)
{
    if (cond) printf("ok %s\n", name);
    else { printf("FAIL %s: %s\n", name, detail ? detail : ""); failures++; }
}

/* Expects a status; prints the library's message when it differs. */
static void expect(fk_status got, fk_status want, const char *name)
{
    char detail[1024];
    snprintf(detail, sizeof detail, "got %s (%d), want %s (%d): %s", fk_status_name(got), got,
             fk_status_name(want), want, fk_last_error());
    check(got == want, name, detail);
    if (got == want && got != FK_OK && fk_last_error()[0] == '\0') {
        printf("FAIL %s: no fk_last_error message\n", name);
        failures++;
    }
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(3); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(3); }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static fk_handle *init_or_die(const char *model_dir)
{
    fk_handle *h = NULL;
    fk_status s = fk_init(model_dir, &h);
    if (s != FK_OK) { fprintf(stderr, "fk_init: %s: %s\n", fk_status_name(s), fk_last_error()); exit(3); }
    return h;
}

static fk_status template_of(fk_handle *h, const char *path, fk_template *t, fk_eyes *eyes)
{
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    fk_status s = fk_create_template(h, bytes, len, t, eyes);
    free(bytes);
    return s;
}

/* ------------------------------------------------------------------------------------ pairs */

static int cmd_pairs(const char *model_dir, const char *root, const char *pairs)
{
    fk_handle *h = init_or_die(model_dir);
    double threshold;
    char model[256];
    fk_threshold(h, &threshold);
    fk_model_id(h, model, sizeof model);
    printf("threshold %.6f\nmodel %s\n", threshold, model);

    FILE *f = fopen(pairs, "r");
    if (!f) { fprintf(stderr, "cannot open %s\n", pairs); return 3; }
    char line[2048];
    if (!fgets(line, sizeof line, f)) return 3; /* header */
    while (fgets(line, sizeof line, f)) {
        char a[900], b[900];
        int same;
        line[strcspn(line, "\r\n")] = 0;
        if (sscanf(line, "%899[^,],%899[^,],%d", a, b, &same) != 3) continue;
        char pa[2048], pb[2048];
        snprintf(pa, sizeof pa, "%s/%s", root, a);
        snprintf(pb, sizeof pb, "%s/%s", root, b);
        fk_template ta = {0}, tb = {0};
        fk_eyes ea, eb;
        fk_status s1 = template_of(h, pa, &ta, &ea);
        fk_status s2 = s1 == FK_OK ? template_of(h, pb, &tb, &eb) : s1;
        double sim = 0;
        fk_status s3 = s2 == FK_OK ? fk_match(h, &ta, &tb, &sim) : s2;
        if (s3 == FK_OK)
            printf("pair %s,%s,%d,%.6f,eyes %.1f %.1f %.1f %.1f\n", a, b, same, sim,
                   ea.left_eye_x, ea.left_eye_y, ea.right_eye_x, ea.right_eye_y);
        else
            printf("error %s,%s,%d,%s,%s\n", a, b, same, fk_status_name(s3), fk_last_error());
        fk_free_template(&ta);
        fk_free_template(&tb);
    }
    fclose(f);
    fk_release(h);
    return 0;
}

/* ---------------------------------------------------------------------------------- gallery */

static int cmd_gallery(const char *model_dir, const char *root, const char *db)
{
    fk_handle *h = init_or_die(model_dir);
    fk_gallery *g = NULL;
    expect(fk_gallery_open(db, &g), FK_OK, "gallery_open");
    const char *people[] = {"Aaron_Peirsol", "Abdoulaye_Wade", "Adam_Sandler", "Abdullah_Gul"};
    const int n = 4;
    char path[2048];
    for (int i = 0; i < n; i++) {
        fk_template t = {0};
        snprintf(path, sizeof path, "%s/%s/%s_0001.jpg", root, people[i], people[i]);
        expect(template_of(h, path, &t, NULL), FK_OK, "enrol template");
        expect(fk_enroll(g, people[i], &t), FK_OK, "enroll");
        fk_free_template(&t);
    }
    int64_t count = -1;
    expect(fk_gallery_count(g, &count), FK_OK, "gallery_count");
    check(count == n, "gallery holds 4 templates", "wrong count");

    for (int i = 0; i < n; i++) {
        fk_template probe = {0};
        snprintf(path, sizeof path, "%s/%s/%s_0002.jpg", root, people[i], people[i]);
        expect(template_of(h, path, &probe, NULL), FK_OK, "probe template");
        fk_candidate *c = NULL;
        size_t found = 0;
        expect(fk_identify(g, &probe, 3, &c, &found), FK_OK, "identify");
        char detail[512];
        snprintf(detail, sizeof detail, "top-1 of %s is %s (%.3f)", people[i], found ? c[0].subject_id : "-",
                 found ? c[0].similarity : 0.0);
        printf("identify %s -> %s %.4f (%zu candidates)\n", people[i], found ? c[0].subject_id : "-",
               found ? c[0].similarity : 0.0, found);
        check(found == 3 && strcmp(c[0].subject_id, people[i]) == 0, "identify top-1 is the right person", detail);
        check(found < 2 || c[0].similarity >= c[1].similarity, "candidates best first", detail);
        fk_free_candidates(c);
        fk_free_template(&probe);
    }

    /* remove one subject: it no longer comes back */
    expect(fk_gallery_remove(g, people[0]), FK_OK, "gallery_remove");
    expect(fk_gallery_remove(g, people[0]), FK_ERR_NOT_FOUND, "gallery_remove twice");
    {
        fk_template probe = {0};
        snprintf(path, sizeof path, "%s/%s/%s_0002.jpg", root, people[0], people[0]);
        template_of(h, path, &probe, NULL);
        fk_candidate *c = NULL;
        size_t found = 0;
        expect(fk_identify(g, &probe, 10, &c, &found), FK_OK, "identify after remove");
        int present = 0;
        for (size_t i = 0; i < found; i++) present |= strcmp(c[i].subject_id, people[0]) == 0;
        check(found == 3 && !present, "removed subject is gone", "still there");
        fk_free_candidates(c);
        fk_free_template(&probe);
    }

    /* multi-image template: images 1 and 2 of a person, compared with image 3 */
    {
        const char *who = "Aaron_Peirsol";
        fk_image imgs[3];
        uint8_t *bufs[3];
        for (int i = 0; i < 3; i++) {
            size_t len;
            snprintf(path, sizeof path, "%s/%s/%s_000%d.jpg", root, who, who, i + 1);
            bufs[i] = read_file(path, &len);
            imgs[i] = (fk_image){.data = bufs[i], .size = len, .format = FK_IMAGE_ENCODED};
        }
        fk_template multi = {0}, third = {0}, first = {0};
        fk_eyes eyes[2];
        expect(fk_create_template_multi(h, imgs, 2, &multi, eyes), FK_OK, "create_template_multi");
        check(eyes[0].face_found && eyes[1].face_found, "multi: faces found in both", "face_found = 0");
        int32_t dim = 0, images = 0;
        expect(fk_template_info(&multi, &dim, &images), FK_OK, "template_info multi");
        check(images == 2 && dim > 0, "multi template averages 2 images", "image_count != 2");
        expect(fk_create_template(h, bufs[2], imgs[2].size, &third, NULL), FK_OK, "third image");
        expect(fk_create_template(h, bufs[0], imgs[0].size, &first, NULL), FK_OK, "first image");
        double s_multi = 0, s_single = 0;
        fk_match(h, &multi, &third, &s_multi);
        fk_match(h, &first, &third, &s_single);
        printf("multi %.4f single %.4f\n", s_multi, s_single);
        double threshold;
        fk_threshold(h, &threshold);
        check(s_multi >= threshold, "multi-image template matches a third image", "below threshold");

        /* a garbage image among good ones fails the call and names its index */
        uint8_t junk[64];
        memset(junk, 0x5a, sizeof junk);
        fk_image mixed[2] = {imgs[0], {.data = junk, .size = sizeof junk, .format = FK_IMAGE_ENCODED}};
        fk_template none = {0};
        expect(fk_create_template_multi(h, mixed, 2, &none, NULL), FK_ERR_BAD_IMAGE, "multi with a garbage image");
        check(strstr(fk_last_error(), "images[1]") != NULL, "multi error names images[1]", fk_last_error());

        for (int i = 0; i < 3; i++) free(bufs[i]);
        fk_free_template(&multi);
        fk_free_template(&third);
        fk_free_template(&first);
    }

    expect(fk_gallery_close(g), FK_OK, "gallery_close");
    /* reopen: what was enrolled persisted */
    expect(fk_gallery_open(db, &g), FK_OK, "gallery reopen");
    count = -1;
    fk_gallery_count(g, &count);
    check(count == n - 1, "gallery persisted 3 templates", "wrong count after reopen");
    fk_gallery_close(g);
    fk_release(h);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}

/* -------------------------------------------------------------------------------------- raw */

static int cmd_raw(const char *model_dir, const char *image, const char *raw_file)
{
    fk_handle *h = init_or_die(model_dir);
    fk_template enc = {0}, bgr = {0}, rgb = {0}, gray = {0}, padded = {0};
    fk_eyes e1, e2;
    expect(template_of(h, image, &enc, &e1), FK_OK, "encoded template");

    /* raw file: int32 width, int32 height, then tightly packed BGR rows */
    size_t len;
    uint8_t *buf = read_file(raw_file, &len);
    int32_t w, hgt;
    memcpy(&w, buf, 4);
    memcpy(&hgt, buf + 4, 4);
    const uint8_t *px = buf + 8;
    expect(fk_create_template_raw(h, px, w, hgt, 0, FK_PIXEL_BGR24, &bgr, &e2), FK_OK, "raw BGR template");
    double s = 0;
    fk_match(h, &enc, &bgr, &s);
    printf("raw bgr similarity %.6f eyes %.1f,%.1f vs %.1f,%.1f\n", s, e1.left_eye_x, e1.left_eye_y, e2.left_eye_x, e2.left_eye_y);
    check(s > 0.999, "raw BGR == encoded", "similarity below 0.999");
    check(fabsf(e1.left_eye_x - e2.left_eye_x) < 0.5f, "raw BGR eyes == encoded eyes", "eye positions differ");

    /* the same pixels as RGB, and with a padded stride */
    uint8_t *rgbpx = malloc((size_t)w * hgt * 3);
    int stride = w * 3 + 13;
    uint8_t *pad = calloc((size_t)stride * hgt, 1);
    uint8_t *g8 = malloc((size_t)w * hgt);
    for (int y = 0; y < hgt; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = px + ((size_t)y * w + x) * 3;
            uint8_t *q = rgbpx + ((size_t)y * w + x) * 3;
            q[0] = p[2]; q[1] = p[1]; q[2] = p[0];
            memcpy(pad + (size_t)y * stride + x * 3, p, 3);
            g8[(size_t)y * w + x] = (uint8_t)((p[0] * 29 + p[1] * 150 + p[2] * 77) >> 8);
        }
    expect(fk_create_template_raw(h, rgbpx, w, hgt, 0, FK_PIXEL_RGB24, &rgb, NULL), FK_OK, "raw RGB template");
    fk_match(h, &enc, &rgb, &s);
    printf("raw rgb similarity %.6f\n", s);
    check(s > 0.999, "raw RGB == encoded", "similarity below 0.999");
    expect(fk_create_template_raw(h, pad, w, hgt, stride, FK_PIXEL_BGR24, &padded, NULL), FK_OK, "raw padded-stride template");
    fk_match(h, &enc, &padded, &s);
    check(s > 0.999, "raw padded stride == encoded", "similarity below 0.999");
    expect(fk_create_template_raw(h, g8, w, hgt, 0, FK_PIXEL_GRAY8, &gray, NULL), FK_OK, "raw gray template");
    fk_match(h, &enc, &gray, &s);
    printf("raw gray similarity %.6f\n", s);
    check(s > 0.5, "raw gray is still the same face", "similarity below 0.5");

    fk_free_template(&enc); fk_free_template(&bgr); fk_free_template(&rgb);
    fk_free_template(&gray); fk_free_template(&padded);
    free(rgbpx); free(pad); free(g8); free(buf);
    fk_release(h);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------------------------- threads */

struct job { fk_handle *h; const uint8_t *img; size_t len; const fk_template *ref; int bad; };

static void *worker(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < 5; i++) {
        fk_template t = {0};
        double s = 0;
        if (fk_create_template(j->h, j->img, j->len, &t, NULL) != FK_OK) { j->bad++; continue; }
        if (fk_match(j->h, &t, j->ref, &s) != FK_OK || s < 0.999) j->bad++;
        /* a failing call on this thread must not disturb the others' messages */
        fk_create_template(j->h, j->img, 0, &t, NULL);
        if (strstr(fk_last_error(), "len") == NULL) j->bad++;
        fk_free_template(&t);
    }
    return NULL;
}

static int cmd_threads(const char *model_dir, const char *image)
{
    fk_handle *h = init_or_die(model_dir);
    size_t len;
    uint8_t *img = read_file(image, &len);
    fk_template ref = {0};
    expect(fk_create_template(h, img, len, &ref, NULL), FK_OK, "reference template");
    pthread_t th[4];
    struct job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct job){h, img, len, &ref, 0};
        pthread_create(&th[i], NULL, worker, &jobs[i]);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) { pthread_join(th[i], NULL); bad += jobs[i].bad; }
    char detail[64];
    snprintf(detail, sizeof detail, "%d bad results", bad);
    check(bad == 0, "4 threads x 5 templates on one handle agree", detail);
    fk_free_template(&ref);
    free(img);
    expect(fk_release(h), FK_OK, "release after threads");
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}

/* -------------------------------------------------------------------------------------- bad */

static int cmd_bad(const char *model_dir, const char *image, const char *tmpdir)
{
    char path[2048];
    int32_t major = -1, minor = -1, patch = -1;
    expect(fk_version(&major, &minor, &patch), FK_OK, "version");
    check(major == FK_API_VERSION_MAJOR && minor >= FK_API_VERSION_MINOR, "version matches header", "mismatch");
    expect(fk_version(NULL, NULL, NULL), FK_OK, "version with NULLs");
    check(fk_last_error() != NULL && fk_last_error()[0] == '\0', "last_error empty after success", fk_last_error());
    check(strcmp(fk_status_name(12345), "FK_UNKNOWN") == 0, "status_name unknown", fk_status_name(12345));
    check(strcmp(fk_status_name(FK_ERR_NO_FACE), "FK_ERR_NO_FACE") == 0, "status_name no face", "");

    /* init */
    fk_handle *h = (fk_handle *)0x1;
    expect(fk_init(NULL, &h), FK_ERR_INVALID_ARGUMENT, "init NULL path");
    check(h == (fk_handle *)0x1, "init leaves out untouched on failure", "out written");
    expect(fk_init("", &h), FK_ERR_INVALID_ARGUMENT, "init empty path");
    expect(fk_init(model_dir, NULL), FK_ERR_INVALID_ARGUMENT, "init NULL out");
    expect(fk_init("/nonexistent/facekit/models", &h), FK_ERR_MODEL_MISSING, "init missing folder");
    expect(fk_init(tmpdir, &h), FK_ERR_MODEL_MISSING, "init folder without models");
    snprintf(path, sizeof path, "%s/bad.json", tmpdir);
    FILE *f = fopen(path, "w"); fputs("{ not json", f); fclose(f);
    expect(fk_init(path, &h), FK_ERR_CONFIG, "init malformed json");
    f = fopen(path, "w"); fputs("{\"model_directory\": 5}", f); fclose(f);
    expect(fk_init(path, &h), FK_ERR_CONFIG, "init json wrong type");
    f = fopen(path, "w"); fprintf(f, "{\"model_directory\": \"%s\", \"embedder\": \"nope\"}", model_dir); fclose(f);
    expect(fk_init(path, &h), FK_ERR_CONFIG, "init json unknown embedder");
    f = fopen(path, "w"); fprintf(f, "{\"model_directory\": \"%s\", \"intra_op_threads\": 1}", model_dir); fclose(f);
    expect(fk_init(path, &h), FK_OK, "init from json config");
    expect(fk_release(h), FK_OK, "release json handle");

    h = init_or_die(model_dir);
    fk_handle *bogus = (fk_handle *)(uintptr_t)0xdeadbeef0ULL;

    size_t len;
    uint8_t *jpg = read_file(image, &len);
    fk_template t = {0}, good = {0};
    fk_eyes eyes;

    /* handles */
    expect(fk_create_template(NULL, jpg, len, &t, NULL), FK_ERR_INVALID_HANDLE, "create NULL handle");
    expect(fk_create_template(bogus, jpg, len, &t, NULL), FK_ERR_INVALID_HANDLE, "create garbage handle");
    double thr;
    expect(fk_threshold(bogus, &thr), FK_ERR_INVALID_HANDLE, "threshold garbage handle");
    expect(fk_threshold(h, NULL), FK_ERR_INVALID_ARGUMENT, "threshold NULL out");
    char small[4];
    expect(fk_model_id(h, small, sizeof small), FK_ERR_INVALID_ARGUMENT, "model_id small buffer");
    expect(fk_model_id(h, NULL, 100), FK_ERR_INVALID_ARGUMENT, "model_id NULL buffer");

    /* encoded images */
    expect(fk_create_template(h, NULL, 100, &t, NULL), FK_ERR_INVALID_ARGUMENT, "create NULL image");
    expect(fk_create_template(h, jpg, 0, &t, NULL), FK_ERR_INVALID_ARGUMENT, "create zero length");
    expect(fk_create_template(h, jpg, len, NULL, NULL), FK_ERR_INVALID_ARGUMENT, "create NULL out");
    uint8_t garbage[4096];
    srand(7);
    for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (uint8_t)rand();
    expect(fk_create_template(h, garbage, sizeof garbage, &t, NULL), FK_ERR_BAD_IMAGE, "create garbage bytes");
    const uint8_t jpeg_head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0};
    expect(fk_create_template(h, jpeg_head, sizeof jpeg_head, &t, NULL), FK_ERR_BAD_IMAGE, "create JPEG header only");
    expect(fk_create_template(h, jpg, len / 2, &t, NULL), FK_ERR_BAD_IMAGE, "create truncated JPEG");
    check(t.data == NULL && t.size == 0, "failed create leaves template empty", "template written");

    /* raw pixels */
    /* larger than the detector's small-crop fallback (images <= 256 px are taken as a face crop) */
    static uint8_t flat[400 * 400 * 3];
    memset(flat, 128, sizeof flat);
    expect(fk_create_template_raw(h, NULL, 64, 64, 0, FK_PIXEL_BGR24, &t, NULL), FK_ERR_INVALID_ARGUMENT, "raw NULL pixels");
    expect(fk_create_template_raw(h, flat, 0, 64, 0, FK_PIXEL_BGR24, &t, NULL), FK_ERR_BAD_IMAGE, "raw zero width");
    expect(fk_create_template_raw(h, flat, 64, -5, 0, FK_PIXEL_BGR24, &t, NULL), FK_ERR_BAD_IMAGE, "raw negative height");
    expect(fk_create_template_raw(h, flat, 64, 64, 10, FK_PIXEL_BGR24, &t, NULL), FK_ERR_BAD_IMAGE, "raw stride too small");
    expect(fk_create_template_raw(h, flat, 64, 64, 0, 42, &t, NULL), FK_ERR_INVALID_ARGUMENT, "raw unknown format");
    expect(fk_create_template_raw(h, flat, 100000, 100000, 0, FK_PIXEL_GRAY8, &t, NULL), FK_ERR_BAD_IMAGE, "raw huge size");
    eyes.face_found = 7;
    expect(fk_create_template_raw(h, flat, 400, 400, 0, FK_PIXEL_BGR24, &t, &eyes), FK_ERR_NO_FACE, "raw flat grey: no face");
    check(eyes.face_found == 0, "no face reported in eyes", "face_found != 0");

    /* a good template, then damaged copies of it */
    expect(fk_create_template(h, jpg, len, &good, &eyes), FK_OK, "create good template");
    check(eyes.face_found == 1 && eyes.left_eye_x < eyes.right_eye_x && eyes.score > 0, "eyes reported", "bad eyes");
    double s = 0;
    expect(fk_match(h, &good, &good, &s), FK_OK, "match self");
    check(fabs(s - 1.0) < 1e-4, "self similarity is 1", "not 1");
    expect(fk_match(h, NULL, &good, &s), FK_ERR_INVALID_ARGUMENT, "match NULL template");
    fk_template empty = {0};
    expect(fk_match(h, &good, &empty, &s), FK_ERR_INVALID_ARGUMENT, "match empty template");
    fk_template zero_len = {good.data, 0};
    expect(fk_match(h, &good, &zero_len, &s), FK_ERR_INVALID_ARGUMENT, "match zero-length template");
    expect(fk_match(h, &good, &good, NULL), FK_ERR_INVALID_ARGUMENT, "match NULL similarity");
    expect(fk_match(bogus, &good, &good, &s), FK_ERR_INVALID_HANDLE, "match garbage handle");
    fk_template junk = {garbage, sizeof garbage};
    expect(fk_match(h, &good, &junk, &s), FK_ERR_BAD_TEMPLATE, "match garbage template");
    fk_template tiny = {garbage, 7};
    expect(fk_match(h, &good, &tiny, &s), FK_ERR_BAD_TEMPLATE, "match 7-byte template");

    uint8_t *copy = malloc(good.size);
    fk_template c = {copy, good.size};
    memcpy(copy, good.data, good.size); copy[4] = 2;              /* format version 2 */
    expect(fk_match(h, &good, &c, &s), FK_ERR_TEMPLATE_VERSION, "match wrong template version");
    memcpy(copy, good.data, good.size); copy[4] = 0;              /* format version 0 */
    expect(fk_match(h, &good, &c, &s), FK_ERR_TEMPLATE_VERSION, "match template version 0");
    memcpy(copy, good.data, good.size); copy[0] = 'X';            /* magic */
    expect(fk_match(h, &good, &c, &s), FK_ERR_BAD_TEMPLATE, "match wrong magic");
    memcpy(copy, good.data, good.size);
    c.size = good.size - 4;                                       /* truncated */
    expect(fk_match(h, &good, &c, &s), FK_ERR_BAD_TEMPLATE, "match truncated template");
    c.size = good.size;
    memcpy(copy, good.data, good.size); copy[8] = 0xff; copy[9] = 0xff; /* dim */
    expect(fk_match(h, &good, &c, &s), FK_ERR_BAD_TEMPLATE, "match wrong dimension");
    memcpy(copy, good.data, good.size); copy[20] ^= 0x01;         /* another model id, same length */
    expect(fk_match(h, &good, &c, &s), FK_ERR_MODEL_MISMATCH, "match another model's template");
    memcpy(copy, good.data, good.size); memset(copy + good.size - 4, 0xff, 4); /* NaN */
    expect(fk_match(h, &good, &c, &s), FK_ERR_BAD_TEMPLATE, "match NaN value");
    memcpy(copy, good.data, good.size); { float big = 0.9f; memcpy(copy + good.size - 4, &big, 4); } /* not unit length */
    expect(fk_match(h, &good, &c, &s), FK_ERR_BAD_TEMPLATE, "match unnormalised template");
    expect(fk_template_info(NULL, NULL, NULL), FK_ERR_INVALID_ARGUMENT, "template_info NULL");
    int32_t dim = 0, count = 0;
    expect(fk_template_info(&good, &dim, &count), FK_OK, "template_info good");
    check(dim >= 128 && count == 1, "template_info values", "wrong values");

    /* multi */
    fk_image one = {.data = jpg, .size = len, .format = FK_IMAGE_ENCODED};
    fk_image flat_img = {.data = flat, .size = sizeof flat, .format = FK_PIXEL_BGR24, .width = 400, .height = 400};
    fk_image short_img = {.data = flat, .size = 100, .format = FK_PIXEL_BGR24, .width = 64, .height = 64};
    expect(fk_create_template_multi(h, NULL, 2, &t, NULL), FK_ERR_INVALID_ARGUMENT, "multi NULL images");
    expect(fk_create_template_multi(h, &one, 0, &t, NULL), FK_ERR_INVALID_ARGUMENT, "multi zero count");
    expect(fk_create_template_multi(h, &flat_img, 1, &t, NULL), FK_ERR_NO_FACE, "multi no face anywhere");
    expect(fk_create_template_multi(h, &short_img, 1, &t, NULL), FK_ERR_BAD_IMAGE, "multi raw buffer too small");
    fk_image two[2] = {flat_img, one};
    fk_eyes e2[2];
    expect(fk_create_template_multi(h, two, 2, &t, e2), FK_OK, "multi skips the faceless image");
    check(e2[0].face_found == 0 && e2[1].face_found == 1, "multi eyes per image", "wrong face_found");
    expect(fk_free_template(&t), FK_OK, "free multi template");
    check(t.data == NULL && t.size == 0, "free clears the template", "not cleared");
    expect(fk_free_template(&t), FK_OK, "free twice (cleared) is harmless");
    expect(fk_free_template(NULL), FK_OK, "free NULL template");

    /* gallery */
    fk_gallery *g = NULL;
    expect(fk_gallery_open(NULL, &g), FK_ERR_INVALID_ARGUMENT, "gallery_open NULL path");
    expect(fk_gallery_open("/nonexistent/dir/g.db", &g), FK_ERR_STORAGE, "gallery_open missing folder");
    snprintf(path, sizeof path, "%s/bad.json", tmpdir);  /* not a SQLite file */
    expect(fk_gallery_open(path, &g), FK_ERR_STORAGE, "gallery_open a JSON file");
    snprintf(path, sizeof path, "%s/g.db", tmpdir);
    expect(fk_gallery_open(path, NULL), FK_ERR_INVALID_ARGUMENT, "gallery_open NULL out");
    expect(fk_gallery_open(path, &g), FK_OK, "gallery_open");
    fk_candidate *cands = (fk_candidate *)0x1;
    size_t n = 99;
    expect(fk_identify(g, &good, 5, &cands, &n), FK_OK, "identify empty gallery");
    check(n == 0 && cands == NULL, "empty gallery gives no candidates", "candidates returned");
    expect(fk_enroll(g, NULL, &good), FK_ERR_INVALID_ARGUMENT, "enroll NULL subject");
    expect(fk_enroll(g, "", &good), FK_ERR_INVALID_ARGUMENT, "enroll empty subject");
    expect(fk_enroll(g, "bad\nname", &good), FK_ERR_INVALID_ARGUMENT, "enroll control characters");
    expect(fk_enroll(g, "alice", NULL), FK_ERR_INVALID_ARGUMENT, "enroll NULL template");
    expect(fk_enroll(g, "alice", &junk), FK_ERR_BAD_TEMPLATE, "enroll garbage template");
    memcpy(copy, good.data, good.size); copy[4] = 9;
    expect(fk_enroll(g, "alice", &c), FK_ERR_TEMPLATE_VERSION, "enroll wrong version");
    expect(fk_enroll(NULL, "alice", &good), FK_ERR_INVALID_HANDLE, "enroll NULL gallery");
    expect(fk_enroll((fk_gallery *)h, "alice", &good), FK_ERR_INVALID_HANDLE, "enroll with a pipeline handle");
    expect(fk_enroll(g, "alice", &good), FK_OK, "enroll");
    memcpy(copy, good.data, good.size); copy[20] ^= 0x01;
    expect(fk_enroll(g, "bob", &c), FK_ERR_MODEL_MISMATCH, "enroll another model's template");
    expect(fk_identify(g, &c, 5, &cands, &n), FK_ERR_MODEL_MISMATCH, "identify with another model's template");
    expect(fk_identify(g, &good, 0, &cands, &n), FK_ERR_INVALID_ARGUMENT, "identify k = 0");
    expect(fk_identify(g, &good, 5, NULL, &n), FK_ERR_INVALID_ARGUMENT, "identify NULL candidates");
    expect(fk_identify(g, &good, 5, &cands, NULL), FK_ERR_INVALID_ARGUMENT, "identify NULL count");
    expect(fk_identify(g, &good, 5, &cands, &n), FK_OK, "identify");
    check(n == 1 && strcmp(cands[0].subject_id, "alice") == 0 && cands[0].similarity > 0.999, "identify finds alice", "wrong");
    expect(fk_free_candidates(cands), FK_OK, "free candidates");
    expect(fk_free_candidates(NULL), FK_OK, "free NULL candidates");
    expect(fk_gallery_remove(g, "nobody"), FK_ERR_NOT_FOUND, "remove unknown subject");
    expect(fk_gallery_remove(g, NULL), FK_ERR_INVALID_ARGUMENT, "remove NULL subject");
    expect(fk_gallery_count(g, NULL), FK_ERR_INVALID_ARGUMENT, "count NULL out");
    expect(fk_gallery_close((fk_gallery *)h), FK_ERR_INVALID_HANDLE, "gallery_close a pipeline handle");
    expect(fk_gallery_close(g), FK_OK, "gallery_close");
    expect(fk_gallery_close(g), FK_ERR_INVALID_HANDLE, "gallery_close twice");
    expect(fk_identify(g, &good, 5, &cands, &n), FK_ERR_INVALID_HANDLE, "identify after close");
    expect(fk_gallery_close(NULL), FK_OK, "gallery_close NULL");

    /* release */
    expect(fk_release(bogus), FK_ERR_INVALID_HANDLE, "release garbage handle");
    expect(fk_release((fk_handle *)g), FK_ERR_INVALID_HANDLE, "release a closed gallery as handle");
    expect(fk_release(h), FK_OK, "release");
    expect(fk_release(h), FK_ERR_INVALID_HANDLE, "release twice");
    expect(fk_create_template(h, jpg, len, &t, NULL), FK_ERR_INVALID_HANDLE, "create after release");
    expect(fk_release(NULL), FK_OK, "release NULL");

    fk_free_template(&good);
    free(copy);
    free(jpg);
    printf("failures %d\n", failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 5 && strcmp(argv[1], "pairs") == 0) return cmd_pairs(argv[2], argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "gallery") == 0) return cmd_gallery(argv[2], argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "raw") == 0) return cmd_raw(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "threads") == 0) return cmd_threads(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "bad") == 0) return cmd_bad(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: fkcheck pairs|gallery|raw|threads|bad ...\n");
    return 2;
}
