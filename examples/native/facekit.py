"""A small ctypes binding of libfacekit.so (include/facekit.h), for Python 3 with no other packages.

    from facekit import FaceKit
    with FaceKit("bin/native/libfacekit.so", "~/.cache/facekit/models") as fk:
        a, eyes_a = fk.template(open("a.jpg", "rb").read())
        b, eyes_b = fk.template(open("b.jpg", "rb").read())
        print(fk.match(a, b), fk.threshold)

Templates come back as Python `bytes` (the library's blob is copied and freed at once), so they
can be stored anywhere and passed back later. Errors raise FaceKitError with the status name and
fk_last_error()'s message.
"""
import ctypes
import os
from ctypes import POINTER, byref, c_char_p, c_double, c_float, c_int32, c_int64, c_size_t, c_uint8, c_void_p

FK_OK = 0
STATUS_NAMES = {0: "FK_OK", 1: "FK_ERR_INVALID_ARGUMENT", 2: "FK_ERR_INVALID_HANDLE", 3: "FK_ERR_BAD_IMAGE",
                4: "FK_ERR_NO_FACE", 5: "FK_ERR_BAD_TEMPLATE", 6: "FK_ERR_TEMPLATE_VERSION",
                7: "FK_ERR_MODEL_MISMATCH", 8: "FK_ERR_MODEL_MISSING", 9: "FK_ERR_NOT_FOUND",
                10: "FK_ERR_STORAGE", 11: "FK_ERR_CONFIG", 99: "FK_ERR_INTERNAL"}
API_MAJOR = 1


class fk_template(ctypes.Structure):
    _fields_ = [("data", POINTER(c_uint8)), ("size", c_size_t)]


class fk_eyes(ctypes.Structure):
    _fields_ = [("face_found", c_int32),
                ("left_eye_x", c_float), ("left_eye_y", c_float),
                ("right_eye_x", c_float), ("right_eye_y", c_float),
                ("box_x", c_float), ("box_y", c_float), ("box_width", c_float), ("box_height", c_float),
                ("score", c_float)]

    def to_dict(self):
        return {"face_found": bool(self.face_found),
                "left_eye": [self.left_eye_x, self.left_eye_y], "right_eye": [self.right_eye_x, self.right_eye_y],
                "box": [self.box_x, self.box_y, self.box_width, self.box_height], "score": self.score}


class fk_candidate(ctypes.Structure):
    _fields_ = [("subject_id", c_char_p), ("similarity", c_double), ("template_id", c_int64)]


class FaceKitError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{STATUS_NAMES.get(status, status)}: {message}")
        self.status = status


def _load(path):
    lib = ctypes.CDLL(os.path.abspath(os.path.expanduser(path)))
    sig = {
        "fk_version": [POINTER(c_int32)] * 3,
        "fk_init": [c_char_p, POINTER(c_void_p)],
        "fk_release": [c_void_p],
        "fk_threshold": [c_void_p, POINTER(c_double)],
        "fk_model_id": [c_void_p, ctypes.c_char_p, c_size_t],
        "fk_create_template": [c_void_p, c_char_p, c_size_t, POINTER(fk_template), POINTER(fk_eyes)],
        "fk_match": [c_void_p, POINTER(fk_template), POINTER(fk_template), POINTER(c_double)],
        "fk_free_template": [POINTER(fk_template)],
        "fk_gallery_open": [c_char_p, POINTER(c_void_p)],
        "fk_gallery_close": [c_void_p],
        "fk_enroll": [c_void_p, c_char_p, POINTER(fk_template)],
        "fk_identify": [c_void_p, POINTER(fk_template), c_int32, POINTER(POINTER(fk_candidate)), POINTER(c_size_t)],
        "fk_free_candidates": [POINTER(fk_candidate)],
        "fk_gallery_remove": [c_void_p, c_char_p],
    }
    for name, args in sig.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = c_int32
    lib.fk_last_error.argtypes = []
    lib.fk_last_error.restype = c_char_p
    return lib


def _blob(data):
    """A caller-owned fk_template over Python bytes (never passed to fk_free_template)."""
    buf = (c_uint8 * len(data)).from_buffer_copy(data)
    return fk_template(ctypes.cast(buf, POINTER(c_uint8)), len(data)), buf


class FaceKit:
    def __init__(self, library, models):
        self._lib = _load(library)
        major = c_int32()
        self._lib.fk_version(byref(major), None, None)
        if major.value != API_MAJOR:
            raise FaceKitError(99, f"library API {major.value}.x, binding written for {API_MAJOR}.x")
        self._h = c_void_p()
        self._check(self._lib.fk_init(os.path.expanduser(models).encode(), byref(self._h)))
        t = c_double()
        self._check(self._lib.fk_threshold(self._h, byref(t)))
        self.threshold = t.value

    def _check(self, status):
        if status != FK_OK:
            raise FaceKitError(status, self._lib.fk_last_error().decode("utf-8", "replace"))

    def template(self, encoded_image: bytes):
        """(template bytes, eyes dict) of the largest face in a JPEG/PNG/... image."""
        out, eyes = fk_template(), fk_eyes()
        self._check(self._lib.fk_create_template(self._h, encoded_image, len(encoded_image), byref(out), byref(eyes)))
        try:
            return ctypes.string_at(out.data, out.size), eyes.to_dict()
        finally:
            self._lib.fk_free_template(byref(out))

    def match(self, a: bytes, b: bytes) -> float:
        (ta, ka), (tb, kb) = _blob(a), _blob(b)
        s = c_double()
        self._check(self._lib.fk_match(self._h, byref(ta), byref(tb), byref(s)))
        return s.value

    def close(self):
        if self._h:
            self._lib.fk_release(self._h)
            self._h = c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Gallery:
    """An enrolment gallery file, used with templates from FaceKit.template()."""

    def __init__(self, kit: FaceKit, path):
        self._lib, self._check = kit._lib, kit._check
        self._g = c_void_p()
        self._check(self._lib.fk_gallery_open(os.fspath(path).encode(), byref(self._g)))

    def enroll(self, subject_id: str, template: bytes):
        t, keep = _blob(template)
        self._check(self._lib.fk_enroll(self._g, subject_id.encode(), byref(t)))

    def identify(self, template: bytes, k=5):
        t, keep = _blob(template)
        cands, n = POINTER(fk_candidate)(), c_size_t()
        self._check(self._lib.fk_identify(self._g, byref(t), k, byref(cands), byref(n)))
        try:
            return [(cands[i].subject_id.decode(), cands[i].similarity) for i in range(n.value)]
        finally:
            self._lib.fk_free_candidates(cands)

    def remove(self, subject_id: str):
        self._check(self._lib.fk_gallery_remove(self._g, subject_id.encode()))

    def close(self):
        if self._g:
            self._lib.fk_gallery_close(self._g)
            self._g = c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
