/*
 * The two passes behind a tensor's statistics, for float32 and float64 arrays.
 *
 * Why C: NumPy needs four reductions per chunk for the scan and one np.bincount per chunk
 * for the counts (about 1.4 ns per element, holding the GIL), together about as long as
 * TensorFlow takes to read the tensor. These loops do the same work in one read of the
 * memory each and release the GIL, so the Python side (kernels.py) runs them on both halves
 * of a tensor in two threads.
 *
 * scan  : NaN/+Inf/-Inf/zero counts, min, max, sum and sum of squares of the finite values,
 *         plus a flag per chunk that holds a NaN or an infinity (Moments.dirty).
 * count : slot numbers trunc((x - base) * scale), computed in the array's own float type and
 *         rounded exactly as binning.Binning.index rounds them with NumPy ufuncs (so the
 *         published edges stay exact), counted per slot; values outside [low, high] are
 *         counted as below/above, NaN and infinities are skipped.
 *
 * Built with -ffp-contract=off: a fused multiply-add would round (x - base) * scale once
 * instead of twice and move values across bin edges.
 *
 * Vectorisation: the per-block reductions are `omp simd` loops (-fopenmp-simd: the pragma
 * only, no OpenMP runtime), which lets the compiler reorder just those sums. With GCC on
 * x86-64 Linux each kernel is also cloned for AVX2 and picked at load time (target_clones),
 * so the wheel runs on any x86-64 and uses the wider registers where they exist.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

/* Elements reduced in the array's own type before the partial sums go to double: 1024
 * float32 values summed over 8-16 lanes keep about 1e-7 relative error per block. */
#define BLOCK 1024
/* Interleaved count tables: consecutive elements often share a bin, and incrementing one
 * counter back to back stalls on the store; eight tables keep eight increments in flight
 * (measured on 10^8 normal values: 8% faster than four, sixteen is slower). */
#define TABLES 8

typedef struct {
    int64_t nan, posinf, neginf, zeros;
    double lo, hi, total, squares;
} Moments;

/* One block, every element classified: the path for blocks holding NaN/Inf and for float32
 * blocks whose squares would overflow or vanish in float32. */
#define SLOW_BLOCK(T)                                                                      \
    static void slow_block_##T(const T *x, Py_ssize_t n, Moments *m) {                     \
        for (Py_ssize_t i = 0; i < n; i++) {                                               \
            T v = x[i];                                                                    \
            if (isnan(v)) {                                                                \
                m->nan++;                                                                  \
            } else if (isinf(v)) {                                                         \
                if (v > 0) m->posinf++;                                                    \
                else m->neginf++;                                                          \
            } else {                                                                       \
                double d = (double)v;                                                      \
                m->lo = d < m->lo ? d : m->lo;                                             \
                m->hi = d > m->hi ? d : m->hi;                                             \
                m->total += d;                                                             \
                m->squares += d * d;                                                       \
                m->zeros += d == 0.0;                                                      \
            }                                                                              \
        }                                                                                  \
    }

SLOW_BLOCK(float)
SLOW_BLOCK(double)

/* float32 squares overflow above ~1.8e19 and lose everything below ~1e-19. */
#define SAFE_LOW 1e-17
#define SAFE_HIGH 1e17

#define SCAN(T, ABS, MAXVAL, SAFE)                                                              \
    CLONES static void scan_##T(const T *x, Py_ssize_t n, Py_ssize_t chunk,                \
                                uint8_t *dirty, Moments *m) {                              \
        for (Py_ssize_t start = 0; start < n; start += BLOCK) {                            \
            Py_ssize_t size = n - start < BLOCK ? n - start : BLOCK;                       \
            const T *b = x + start;                                                        \
            T lo = (T)INFINITY, hi = (T)-INFINITY, total = 0, squares = 0;                 \
            int zeros = 0, bad = 0;                                                        \
            _Pragma("omp simd reduction(min:lo) reduction(max:hi) reduction(+:total, squares, zeros, bad)") \
            for (Py_ssize_t i = 0; i < size; i++) {                                        \
                T v = b[i];                                                                \
                lo = v < lo ? v : lo;                                                      \
                hi = v > hi ? v : hi;                                                      \
                total += v;                                                                \
                squares += v * v;                                                          \
                zeros += v == 0;                                                           \
                bad += !(ABS(v) <= MAXVAL);                                                \
            }                                                                              \
            double magnitude = -(double)lo > (double)hi ? -(double)lo : (double)hi;        \
            if (bad) {                                                                     \
                dirty[start / chunk] = 1;                                                  \
                slow_block_##T(b, size, m);                                                \
            } else if (!SAFE(magnitude)) {                                                 \
                slow_block_##T(b, size, m);                                                \
            } else {                                                                       \
                m->lo = lo < m->lo ? lo : m->lo;                                           \
                m->hi = hi > m->hi ? hi : m->hi;                                           \
                m->total += total;                                                         \
                m->squares += squares;                                                     \
                m->zeros += zeros;                                                         \
            }                                                                              \
        }                                                                                  \
    }

#define FLOAT_SAFE(magnitude) ((magnitude) == 0.0 || ((magnitude) > SAFE_LOW && (magnitude) < SAFE_HIGH))
#define DOUBLE_SAFE(magnitude) ((void)(magnitude), 1)

SCAN(float, fabsf, FLT_MAX, FLOAT_SAFE)
SCAN(double, fabs, DBL_MAX, DOUBLE_SAFE)

/* A block of finite values inside [low, high] (the usual case) computes its slot numbers as
 * one vector loop and then increments; any other block takes each value on its own. */
#define COUNT(T, ABS, MAXVAL)                                                                           \
    CLONES static void count_##T(const T *x, Py_ssize_t n, T base, T scale, int slots,     \
                                 T low, T high, uint32_t *tables, int64_t *outside) {      \
        const T top = (T)(slots - 1);                                                      \
        int32_t index[BLOCK];                                                              \
        for (Py_ssize_t start = 0; start < n; start += BLOCK) {                            \
            Py_ssize_t size = n - start < BLOCK ? n - start : BLOCK;                       \
            const T *b = x + start;                                                        \
            T lo = (T)INFINITY, hi = (T)-INFINITY;                                         \
            int bad = 0;                                                                   \
            _Pragma("omp simd reduction(min:lo) reduction(max:hi) reduction(+:bad)")       \
            for (Py_ssize_t i = 0; i < size; i++) {                                        \
                T v = b[i];                                                                \
                lo = v < lo ? v : lo;                                                      \
                hi = v > hi ? v : hi;                                                      \
                bad += !(ABS(v) <= MAXVAL);                                                \
            }                                                                              \
            if (!bad && lo >= low && hi <= high) {                                         \
                _Pragma("omp simd")                                                        \
                for (Py_ssize_t i = 0; i < size; i++) {                                    \
                    T t = (b[i] - base) * scale;                                           \
                    index[i] = (int32_t)(t < top ? t : top);                               \
                }                                                                          \
                Py_ssize_t i = 0;                                                          \
                for (; i + TABLES <= size; i += TABLES)                                    \
                    for (int k = 0; k < TABLES; k++) tables[k * slots + index[i + k]]++;   \
                for (; i < size; i++) tables[index[i]]++;                                  \
                continue;                                                                  \
            }                                                                              \
            for (Py_ssize_t i = 0; i < size; i++) {                                        \
                T v = b[i];                                                                \
                if (v != v || isinf(v)) continue;                                          \
                if (v < low) {                                                             \
                    outside[0]++;                                                          \
                } else if (v > high) {                                                     \
                    outside[1]++;                                                          \
                } else {                                                                   \
                    T t = (v - base) * scale;                                              \
                    tables[(int32_t)(t < top ? t : top)]++;                                \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }

COUNT(float, fabsf, FLT_MAX)
COUNT(double, fabs, DBL_MAX)

/* ---- Python glue ------------------------------------------------------------------ */

/* The array's element size (4 or 8) after checking it is a 1-D float32/float64 buffer. */
static int float_width(const Py_buffer *view) {
    const char *format = view->format ? view->format : "B";
    if (*format == '<' || *format == '=' || *format == '@') format++;
    if (view->ndim != 1 || view->strides[0] != view->itemsize ||
        !((view->itemsize == 4 && strcmp(format, "f") == 0) ||
          (view->itemsize == 8 && strcmp(format, "d") == 0))) {
        PyErr_SetString(PyExc_TypeError, "expected a contiguous 1-D float32 or float64 array");
        return 0;
    }
    return (int)view->itemsize;
}

static PyObject *py_scan(PyObject *self, PyObject *args) {
    PyObject *values;
    Py_ssize_t chunk;
    Py_buffer view, dirty;
    if (!PyArg_ParseTuple(args, "Onw*", &values, &chunk, &dirty)) return NULL;
    if (PyObject_GetBuffer(values, &view, PyBUF_STRIDES | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&dirty);
        return NULL;
    }
    int width = float_width(&view);
    Py_ssize_t n = width ? view.shape[0] : 0;
    if (width && (chunk <= 0 || chunk % BLOCK || dirty.len < (n + chunk - 1) / chunk)) {
        PyErr_SetString(PyExc_ValueError, "chunk must be a multiple of 1024 with a flag each");
        width = 0;
    }
    Moments m = {0, 0, 0, 0, INFINITY, -INFINITY, 0.0, 0.0};
    if (width) {
        Py_BEGIN_ALLOW_THREADS
        if (width == 4) scan_float((const float *)view.buf, n, chunk, dirty.buf, &m);
        else scan_double((const double *)view.buf, n, chunk, dirty.buf, &m);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&view);
    PyBuffer_Release(&dirty);
    if (!width) return NULL;
    return Py_BuildValue("(LLLLdddd)", (long long)m.nan, (long long)m.posinf,
                         (long long)m.neginf, (long long)m.zeros, m.lo, m.hi, m.total,
                         m.squares);
}

static PyObject *py_count(PyObject *self, PyObject *args) {
    PyObject *values;
    double base, scale, low, high;
    int slots;
    Py_buffer view, counts;
    if (!PyArg_ParseTuple(args, "Oddiddw*", &values, &base, &scale, &slots, &low, &high,
                          &counts))
        return NULL;
    if (PyObject_GetBuffer(values, &view, PyBUF_STRIDES | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&counts);
        return NULL;
    }
    int width = float_width(&view);
    if (width && (slots < 1 || slots > 65538 || counts.len < (Py_ssize_t)(slots * 8))) {
        PyErr_SetString(PyExc_ValueError, "counts must hold one int64 per slot");
        width = 0;
    }
    uint32_t *tables = width ? calloc((size_t)slots * TABLES, sizeof(uint32_t)) : NULL;
    if (width && !tables) {
        PyErr_NoMemory();
        width = 0;
    }
    int64_t outside[2] = {0, 0};
    if (width) {
        int64_t *out = (int64_t *)counts.buf;
        Py_ssize_t n = view.shape[0];
        /* uint32 tables: flush well before a counter could wrap. */
        const Py_ssize_t span = (Py_ssize_t)1 << 30;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t start = 0; start < n; start += span) {
            Py_ssize_t size = n - start < span ? n - start : span;
            if (width == 4)
                count_float((const float *)view.buf + start, size, (float)base, (float)scale,
                            slots, (float)low, (float)high, tables, outside);
            else
                count_double((const double *)view.buf + start, size, base, scale, slots, low,
                             high, tables, outside);
            for (int k = 0; k < TABLES; k++)
                for (int j = 0; j < slots; j++) {
                    out[j] += tables[k * slots + j];
                    tables[k * slots + j] = 0;
                }
        }
        Py_END_ALLOW_THREADS
        free(tables);
    }
    PyBuffer_Release(&view);
    PyBuffer_Release(&counts);
    if (!width) return NULL;
    return Py_BuildValue("(LL)", (long long)outside[0], (long long)outside[1]);
}

static PyMethodDef methods[] = {
    {"scan", py_scan, METH_VARARGS,
     "scan(values, chunk, dirty) -> (nan, posinf, neginf, zeros, lo, hi, total, squares)"},
    {"count", py_count, METH_VARARGS,
     "count(values, base, scale, slots, low, high, counts) -> (below, above)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels", "Fused statistics passes (see kernels.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
