/* The inner loops of linking, compiled: the anchored alignment walk of align.py
 * (_align_walk_py), the ordered share of common terms (align.shared_content_in_order) and the
 * lookups of sets.py in sorted arrays of term hashes.
 *
 * Every candidate pair of a whole-archive link is aligned, and in Python this walk (chain of
 * anchors, equal blocks grown around them, exact diffs of the small gaps, passages and
 * substitutions) was a third of linking's CPU; the set lookups (and the weighted sums over what
 * they find, sets.weighted_sum_in) run hundreds of thousands of
 * times on small arrays, where numpy's per-call overhead is most of their cost. Each function
 * computes exactly what its Python counterpart computes from the same inputs;
 * tests/test_provenance_calign.py holds them to each other. Where no C compiler is present at
 * install, the Python runs.
 *
 * Inputs (any buffer of the stated item size, C-contiguous): token hashes of a and b (8 bytes),
 * anchor positions ai, bj (8 bytes: a bigram starting at ai[k] in a equals the one at bj[k] in
 * b), prefix counts of content tokens in a and of number tokens in a and b (4 bytes, n + 1
 * each), and the constants max_sub, min_passage, refine_cells of align.py.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { EQUAL, REPLACE, DELETE, INSERT };

typedef struct { int tag; Py_ssize_t i1, i2, j1, j2; } Op;
typedef struct { Op *v; Py_ssize_t n, cap; } Ops;
typedef struct { Py_ssize_t i, j, k; } Block;
typedef struct { Block *v; Py_ssize_t n, cap; } Blocks;
typedef struct { int64_t a, b; } Anchor;

/* The array v of *cap items, reallocated to hold twice as many (16 at first); NULL, with v left
 * as it was, when memory is short. Every growable array here grows through it. */
static void *grown(void *v, Py_ssize_t *cap, size_t item) {
    Py_ssize_t more = *cap ? 2 * *cap : 16;
    void *p = PyMem_Realloc(v, (size_t)more * item);
    if (p) *cap = more;
    return p;
}

static int ops_push(Ops *ops, int tag, Py_ssize_t i1, Py_ssize_t i2, Py_ssize_t j1, Py_ssize_t j2) {
    if (ops->n == ops->cap) {
        Op *v = grown(ops->v, &ops->cap, sizeof(Op));
        if (!v) return -1;
        ops->v = v;
    }
    ops->v[ops->n++] = (Op){tag, i1, i2, j1, j2};
    return 0;
}

/* The opcode for replacing a[i1:i2] by b[j1:j2], if either is not empty (align._edit). */
static int ops_edit(Ops *ops, Py_ssize_t i1, Py_ssize_t i2, Py_ssize_t j1, Py_ssize_t j2) {
    if (i1 < i2 && j1 < j2) return ops_push(ops, REPLACE, i1, i2, j1, j2);
    if (i1 < i2) return ops_push(ops, DELETE, i1, i2, j1, j2);
    if (j1 < j2) return ops_push(ops, INSERT, i1, i2, j1, j2);
    return 0;
}

static int blocks_push(Blocks *bl, Py_ssize_t i, Py_ssize_t j, Py_ssize_t k) {
    if (bl->n == bl->cap) {
        Block *v = grown(bl->v, &bl->cap, sizeof(Block));
        if (!v) return -1;
        bl->v = v;
    }
    bl->v[bl->n++] = (Block){i, j, k};
    return 0;
}

/* difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(alo, ahi, blo, bhi):
 * the longest common run, the first found scanning a then b (no junk: nothing to extend).
 * prev and cur hold bhi - blo counts each. */
static Block longest_match(const int64_t *a, const int64_t *b, Py_ssize_t alo, Py_ssize_t ahi,
                           Py_ssize_t blo, Py_ssize_t bhi, Py_ssize_t *prev, Py_ssize_t *cur) {
    Block best = {alo, blo, 0};
    Py_ssize_t width = bhi - blo;
    memset(prev, 0, (size_t)width * sizeof(Py_ssize_t));
    for (Py_ssize_t i = alo; i < ahi; i++) {
        for (Py_ssize_t j = blo; j < bhi; j++) {
            Py_ssize_t k = 0;
            if (a[i] == b[j]) {
                k = (j > blo ? prev[j - blo - 1] : 0) + 1;
                if (k > best.k) best = (Block){i - k + 1, j - k + 1, k};
            }
            cur[j - blo] = k;
        }
        Py_ssize_t *t = prev;
        prev = cur;
        cur = t;
    }
    return best;
}

static int by_i(const void *x, const void *y) {
    Py_ssize_t a = ((const Block *)x)->i, b = ((const Block *)y)->i;
    return (a > b) - (a < b);
}

/* difflib's opcodes of a[0:la] against b[0:lb] (autojunk=False), shifted by (ci, cj). */
static int gap_opcodes(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb,
                       Py_ssize_t ci, Py_ssize_t cj, Ops *ops) {
    int rc = -1;
    Blocks found = {0}, todo = {0};
    Py_ssize_t *rows = PyMem_Malloc((size_t)(2 * (lb + 1)) * sizeof(Py_ssize_t));
    if (!rows) goto done;
    if (blocks_push(&todo, 0, la, 0) < 0) goto done;  /* (alo, ahi, blo) ... */
    if (blocks_push(&todo, lb, 0, 0) < 0) goto done;  /* ... and bhi: a window is two entries */
    while (todo.n) {
        Py_ssize_t bhi = todo.v[todo.n - 1].i;
        Py_ssize_t alo = todo.v[todo.n - 2].i, ahi = todo.v[todo.n - 2].j, blo = todo.v[todo.n - 2].k;
        todo.n -= 2;
        Block m = longest_match(a, b, alo, ahi, blo, bhi, rows, rows + lb + 1);
        if (!m.k) continue;
        if (blocks_push(&found, m.i, m.j, m.k) < 0) goto done;
        if (alo < m.i && blo < m.j) {
            if (blocks_push(&todo, alo, m.i, blo) < 0 || blocks_push(&todo, m.j, 0, 0) < 0) goto done;
        }
        if (m.i + m.k < ahi && m.j + m.k < bhi) {
            if (blocks_push(&todo, m.i + m.k, ahi, m.j + m.k) < 0 || blocks_push(&todo, bhi, 0, 0) < 0) goto done;
        }
    }
    if (found.n > 1) qsort(found.v, (size_t)found.n, sizeof(Block), by_i);
    /* Adjacent blocks joined, then the opcodes (difflib's get_opcodes). */
    Py_ssize_t i = 0, j = 0, n = 0;
    for (Py_ssize_t k = 0; k < found.n; k++) {
        if (n && found.v[n - 1].i + found.v[n - 1].k == found.v[k].i && found.v[n - 1].j + found.v[n - 1].k == found.v[k].j)
            found.v[n - 1].k += found.v[k].k;
        else
            found.v[n++] = found.v[k];
    }
    for (Py_ssize_t k = 0; k <= n; k++) {
        Block m = k < n ? found.v[k] : (Block){la, lb, 0};
        if (ops_edit(ops, ci + i, ci + m.i, cj + j, cj + m.j) < 0) goto done;
        i = m.i + m.k;
        j = m.j + m.k;
        if (m.k && ops_push(ops, EQUAL, ci + m.i, ci + i, cj + m.j, cj + j) < 0) goto done;
    }
    rc = 0;
done:
    PyMem_Free(rows);
    PyMem_Free(found.v);
    PyMem_Free(todo.v);
    if (rc < 0 && !PyErr_Occurred()) PyErr_NoMemory();
    return rc;
}

static int by_a(const void *x, const void *y) {
    int64_t a = ((const Anchor *)x)->a, b = ((const Anchor *)y)->a;
    return (a > b) - (a < b);
}

/* Indices of a longest strictly increasing run of values (align.longest_increasing: patience
 * with bisect_left, the first chain found). Returns its length; chain has room for n. */
static Py_ssize_t longest_increasing(const Anchor *v, Py_ssize_t n, Py_ssize_t *chain) {
    Py_ssize_t *tail_idx = PyMem_Malloc((size_t)(2 * n + 1) * sizeof(Py_ssize_t));
    if (!tail_idx) return -1;
    Py_ssize_t *prev = tail_idx + n + 1, len = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t lo = 0, hi = len;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (v[tail_idx[mid]].b < v[i].b) lo = mid + 1;
            else hi = mid;
        }
        tail_idx[lo] = i;
        if (lo == len) len++;
        prev[i] = lo ? tail_idx[lo - 1] : -1;
    }
    Py_ssize_t i = len ? tail_idx[len - 1] : -1;
    for (Py_ssize_t k = len - 1; k >= 0; k--) {
        chain[k] = i;
        i = prev[i];
    }
    PyMem_Free(tail_idx);
    return len;
}

/* align.opcodes: the chain of anchors in the same order in both texts, equal blocks grown
 * around them (never overlapping), exact diffs of the small gaps between them. */
static int anchored_opcodes(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb,
                            Anchor *anchors, Py_ssize_t n, Py_ssize_t refine_cells, Ops *ops) {
    int rc = -1;
    Py_ssize_t *chain = NULL;
    Blocks blocks = {0};
    if (n > 1) qsort(anchors, (size_t)n, sizeof(Anchor), by_a);
    chain = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    if (!chain) goto done;
    Py_ssize_t len = n, increasing = 1;
    for (Py_ssize_t k = 1; k < n && increasing; k++) increasing = anchors[k].b > anchors[k - 1].b;
    if (increasing) {
        for (Py_ssize_t k = 0; k < n; k++) chain[k] = k;
    } else if ((len = longest_increasing(anchors, n, chain)) < 0) {
        goto done;
    }
    Py_ssize_t lo_a = 0, lo_b = 0;
    for (Py_ssize_t c = 0; c < len; c++) {
        Py_ssize_t i = (Py_ssize_t)anchors[chain[c]].a, j = (Py_ssize_t)anchors[chain[c]].b;
        if (i < lo_a || j < lo_b) continue;  /* inside the previous block already */
        Py_ssize_t s_i = i, s_j = j, e_i = i + 2, e_j = j + 2;
        while (s_i > lo_a && s_j > lo_b && a[s_i - 1] == b[s_j - 1]) { s_i--; s_j--; }
        while (e_i < la && e_j < lb && a[e_i] == b[e_j]) { e_i++; e_j++; }
        if (blocks_push(&blocks, s_i, s_j, e_i - s_i) < 0) goto done;
        lo_a = e_i;
        lo_b = e_j;
    }
    if (blocks_push(&blocks, la, lb, 0) < 0) goto done;
    Py_ssize_t ci = 0, cj = 0;
    for (Py_ssize_t k = 0; k < blocks.n; k++) {
        Py_ssize_t i = blocks.v[k].i, j = blocks.v[k].j, size = blocks.v[k].k;
        Py_ssize_t di = i - ci, dj = j - cj;
        if (di > 0 && dj > 0 && (di < dj ? di : dj) >= 2 && di * dj <= refine_cells) {
            if (gap_opcodes(a + ci, di, b + cj, dj, ci, cj, ops) < 0) goto done;
        } else if (ops_edit(ops, ci, i, cj, j) < 0) {
            goto done;
        }
        if (size && ops_push(ops, EQUAL, i, i + size, j, j + size) < 0) goto done;
        ci = i + size;
        cj = j + size;
    }
    rc = 0;
done:
    PyMem_Free(chain);
    PyMem_Free(blocks.v);
    if (rc < 0 && !PyErr_Occurred()) PyErr_NoMemory();
    return rc;
}

/* A one-dimensional array of native signed integers from any buffer, read through ``data``:
 * the buffer itself, or an aligned copy of it (stored fingerprints are views of bytes at odd
 * offsets, and reading an int64 from an unaligned address is undefined in C). Outputs must be
 * aligned already (they are written in place). */
typedef struct { Py_buffer view; void *copy; void *data; Py_ssize_t n; } Ints;

static int ints_get(PyObject *obj, Ints *x, Py_ssize_t itemsize, int writable, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &x->view, flags) < 0) {
        x->view.obj = NULL;
        return -1;
    }
    const char *f = x->view.format ? x->view.format : "B";
    char order = (*f == '@' || *f == '=' || *f == '<' || *f == '>' || *f == '!') ? *f++ : '@';
    int native = order == '@' || order == '=' || (order == '<') == PY_LITTLE_ENDIAN;
    int integer = strlen(f) == 1 && (*f == 'q' || *f == 'l' || *f == 'i');
    if (x->view.ndim != 1 || x->view.itemsize != itemsize || !native || !integer) {
        PyErr_Format(PyExc_TypeError, "%s: a one-dimensional array of native signed integers of %zd bytes expected",
                     name, itemsize);
        PyBuffer_Release(&x->view);
        x->view.obj = NULL;
        return -1;
    }
    x->n = x->view.len / itemsize;
    x->data = x->view.buf;
    if ((uintptr_t)x->view.buf % (uintptr_t)itemsize) {
        if (writable) {
            PyErr_Format(PyExc_ValueError, "%s: an aligned array expected", name);
            PyBuffer_Release(&x->view);
            x->view.obj = NULL;
            return -1;
        }
        x->copy = PyMem_Malloc((size_t)x->view.len + 1);
        if (!x->copy) {
            PyErr_NoMemory();
            PyBuffer_Release(&x->view);
            x->view.obj = NULL;
            return -1;
        }
        memcpy(x->copy, x->view.buf, (size_t)x->view.len);
        x->data = x->copy;
    }
    return 0;
}

static void ints_release(Ints *x) {
    PyMem_Free(x->copy);
    x->copy = NULL;
    if (x->view.obj) PyBuffer_Release(&x->view);
}

/* Append ranges [from, to) of the edits to a new tuple of (a0, a1, b0, b1) tuples. */
static PyObject *edits_tuple(const Op *v, const Py_ssize_t *idx, Py_ssize_t n) {
    PyObject *out = PyTuple_New(n);
    if (!out) return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Op *op = &v[idx[k]];
        PyObject *t = Py_BuildValue("(nnnn)", op->i1, op->i2, op->j1, op->j2);
        if (!t) { Py_DECREF(out); return NULL; }
        PyTuple_SET_ITEM(out, k, t);
    }
    return out;
}

typedef struct { Py_ssize_t *v; Py_ssize_t n, cap; } Idx;

static int idx_push(Idx *x, Py_ssize_t value) {
    if (x->n == x->cap) {
        Py_ssize_t *v = grown(x->v, &x->cap, sizeof(Py_ssize_t));
        if (!v) { PyErr_NoMemory(); return -1; }
        x->v = v;
    }
    x->v[x->n++] = value;
    return 0;
}

static PyObject *align_walk(PyObject *self, PyObject *args) {
    PyObject *oa, *ob, *oai, *obj, *ocont, *onum_a, *onum_b, *result = NULL;
    Py_ssize_t max_sub, min_passage, refine_cells;
    if (!PyArg_ParseTuple(args, "OOOOOOOnnn:align_walk", &oa, &ob, &oai, &obj, &ocont, &onum_a, &onum_b,
                          &max_sub, &min_passage, &refine_cells))
        return NULL;
    Ints va = {0}, vb = {0}, vai = {0}, vbj = {0}, vcont = {0}, vnum_a = {0}, vnum_b = {0};
    Ops ops = {0};
    Anchor *anchors = NULL;
    Idx passages = {0}, subs = {0}, conflicts = {0}, cur_subs = {0}, cur_conflicts = {0};
    PyObject *passages_t = NULL, *subs_t = NULL, *conflicts_t = NULL;
    if (ints_get(oa, &va, 8, 0, "a") < 0 || ints_get(ob, &vb, 8, 0, "b") < 0 || ints_get(oai, &vai, 8, 0, "ai") < 0
        || ints_get(obj, &vbj, 8, 0, "bj") < 0 || ints_get(ocont, &vcont, 4, 0, "content_upto") < 0
        || ints_get(onum_a, &vnum_a, 4, 0, "numbers_upto_a") < 0 || ints_get(onum_b, &vnum_b, 4, 0, "numbers_upto_b") < 0)
        goto done;
    const int64_t *a = va.data, *b = vb.data, *ai = vai.data, *bj = vbj.data;
    const int32_t *cont_a = vcont.data, *num_a = vnum_a.data, *num_b = vnum_b.data;
    Py_ssize_t la = va.n, lb = vb.n, n = vai.n;
    if (vbj.n != n || vcont.n != la + 1 || vnum_a.n != la + 1 || vnum_b.n != lb + 1) {
        PyErr_SetString(PyExc_ValueError, "align_walk: arrays of inconsistent lengths");
        goto done;
    }
    anchors = PyMem_Malloc((size_t)(n + 1) * sizeof(Anchor));
    if (!anchors) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (ai[k] < 0 || ai[k] >= la - 1 || bj[k] < 0 || bj[k] >= lb - 1) {  /* (no overflow) */
            PyErr_SetString(PyExc_ValueError, "align_walk: an anchor outside the texts");
            goto done;
        }
        anchors[k] = (Anchor){ai[k], bj[k]};
    }
    if (anchored_opcodes(a, la, b, lb, anchors, n, refine_cells, &ops) < 0) goto done;

    /* The walk of align._align_walk_py: passages of equal blocks joined across short edits. */
    Py_ssize_t first_equal = -1, last_equal = -1, internal = 0;
    for (Py_ssize_t k = 0; k < ops.n; k++) {
        if (ops.v[k].tag == EQUAL) {
            if (first_equal < 0) first_equal = k;
            last_equal = k;
        }
    }
    for (Py_ssize_t k = first_equal; first_equal >= 0 && k <= last_equal; k++) internal += ops.v[k].tag != EQUAL;
    long long matched = 0, matched_content = 0, numbers_shared = 0, longest = 0;
    int open = 0;
    Py_ssize_t cur[5] = {0};  /* a0, b0, a1, b1, matched of the open passage */
    for (Py_ssize_t k = 0; k <= ops.n; k++) {
        const Op *op = k < ops.n ? &ops.v[k] : NULL;
        if (op && op->tag == EQUAL) {
            Py_ssize_t size = op->i2 - op->i1;
            matched += size;
            matched_content += cont_a[op->i2] - cont_a[op->i1];
            numbers_shared += num_a[op->i2] - num_a[op->i1];
            if (size > longest) longest = size;
            if (!open) {
                cur[0] = op->i1; cur[1] = op->j1; cur[2] = op->i2; cur[3] = op->j2; cur[4] = size;
                open = 1;
            } else {
                cur[2] = op->i2; cur[3] = op->j2; cur[4] += size;
            }
            continue;
        }
        if (op && open && op->i2 - op->i1 <= max_sub && op->j2 - op->j1 <= max_sub) {
            if (op->tag == REPLACE) {
                int both_numbers = num_a[op->i2] > num_a[op->i1] && num_b[op->j2] > num_b[op->j1];
                if (idx_push(both_numbers ? &cur_conflicts : &cur_subs, k) < 0) goto done;
            }
            cur[2] = op->i2;  /* a short insertion or deletion stays inside the passage too */
            cur[3] = op->j2;
            continue;
        }
        /* close the open passage: kept when long enough, with its edits */
        if (open && cur[4] >= min_passage) {
            for (int f = 0; f < 5; f++)
                if (idx_push(&passages, cur[f]) < 0) goto done;
            for (Py_ssize_t s = 0; s < cur_subs.n; s++)
                if (idx_push(&subs, cur_subs.v[s]) < 0) goto done;
            for (Py_ssize_t s = 0; s < cur_conflicts.n; s++)
                if (idx_push(&conflicts, cur_conflicts.v[s]) < 0) goto done;
        }
        open = 0;
        cur_subs.n = cur_conflicts.n = 0;
    }
    passages_t = PyTuple_New(passages.n / 5);
    if (!passages_t) goto done;
    for (Py_ssize_t p = 0; p < passages.n / 5; p++) {
        const Py_ssize_t *q = passages.v + 5 * p;
        PyObject *t = Py_BuildValue("(nnnnn)", q[0], q[2], q[1], q[3], q[4]);  /* a0, a1, b0, b1, matched */
        if (!t) goto done;
        PyTuple_SET_ITEM(passages_t, p, t);
    }
    if (!(subs_t = edits_tuple(ops.v, subs.v, subs.n)) || !(conflicts_t = edits_tuple(ops.v, conflicts.v, conflicts.n)))
        goto done;
    result = Py_BuildValue("(nnLLLLLOOO)", la, lb, matched, matched_content, (long long)internal, numbers_shared,
                           longest, passages_t, subs_t, conflicts_t);
done:
    Py_XDECREF(passages_t);
    Py_XDECREF(subs_t);
    Py_XDECREF(conflicts_t);
    PyMem_Free(ops.v);
    PyMem_Free(anchors);
    PyMem_Free(passages.v);
    PyMem_Free(subs.v);
    PyMem_Free(conflicts.v);
    PyMem_Free(cur_subs.v);
    PyMem_Free(cur_conflicts.v);
    Ints *views[] = {&va, &vb, &vai, &vbj, &vcont, &vnum_a, &vnum_b};
    for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) ints_release(views[v]);
    return result;
}

/* Position of the first element of sorted[0:n] not below value (bisect_left). */
static Py_ssize_t lower_bound(const int64_t *sorted, Py_ssize_t n, int64_t value) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < value) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Position of the first element of sorted[from:n] not below value, for a value not below
 * sorted[from - 1]: galloping from `from`, so a run of ascending values (term arrays are sorted)
 * walks the array in steps about as long as the gaps between them instead of searching all of
 * it for each. */
static Py_ssize_t lower_bound_from(const int64_t *sorted, Py_ssize_t n, Py_ssize_t from, int64_t value) {
    Py_ssize_t step = 1, lo = from, hi = from;
    while (hi < n && sorted[hi] < value) {
        lo = hi + 1;
        hi = from + step;
        step *= 2;
    }
    if (hi > n) hi = n;
    return lo + lower_bound(sorted + lo, hi - lo, value);
}

/* The position of each value in turn (see lower_bound): galloping on from the last one while the
 * values ascend, from the start when one is smaller than the one before. */
typedef struct { const int64_t *set; Py_ssize_t m, pos; int64_t last; int started; } Finder;

static Py_ssize_t finder_seek(Finder *f, int64_t value) {
    if (!f->started || value < f->last) f->pos = 0;
    f->pos = lower_bound_from(f->set, f->m, f->pos, value);
    f->last = value;
    f->started = 1;
    return f->pos;
}

/* sets.in_sorted: out[k] = values[k] is in the sorted array (out: one byte per value). */
static PyObject *member(PyObject *self, PyObject *args) {
    PyObject *ovalues, *oset, *oout, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOO:member", &ovalues, &oset, &oout)) return NULL;
    Ints vv = {0}, vs = {0};
    Py_buffer vo = {0};
    if (ints_get(ovalues, &vv, 8, 0, "values") < 0 || ints_get(oset, &vs, 8, 0, "sorted_set") < 0) goto done;
    if (PyObject_GetBuffer(oout, &vo, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) {
        vo.obj = NULL;
        goto done;
    }
    const int64_t *values = vv.data, *set = vs.data;
    Py_ssize_t n = vv.n, m = vs.n;
    if (vo.ndim != 1 || vo.itemsize != 1 || !vo.format || strcmp(vo.format, "?") != 0 || vo.len != n) {
        PyErr_SetString(PyExc_ValueError, "member: out must be a bool array with one item per value");
        goto done;
    }
    unsigned char *out = vo.buf;
    Finder finder = {set, m, 0, 0, 0};
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t pos = finder_seek(&finder, values[k]);
        out[k] = pos < m && set[pos] == values[k];
    }
    result = Py_None;
    Py_INCREF(result);
done:
    ints_release(&vv);
    ints_release(&vs);
    if (vo.obj) PyBuffer_Release(&vo);
    return result;
}

/* sets.intersect_sorted: the positions in a of the values also in the sorted b, ascending, and
 * their positions in b, written to ia and ib (8-byte integers, room for len(a)); returns how many. */
static PyObject *intersect(PyObject *self, PyObject *args) {
    PyObject *oa, *ob, *oia, *oib, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOO:intersect", &oa, &ob, &oia, &oib)) return NULL;
    Ints va = {0}, vb = {0}, via = {0}, vib = {0};
    if (ints_get(oa, &va, 8, 0, "a") < 0 || ints_get(ob, &vb, 8, 0, "b") < 0 || ints_get(oia, &via, 8, 1, "ia") < 0
        || ints_get(oib, &vib, 8, 1, "ib") < 0) goto done;
    const int64_t *a = va.data, *b = vb.data;
    Py_ssize_t n = va.n, m = vb.n, found = 0;
    if (via.n < n || vib.n < n) {
        PyErr_SetString(PyExc_ValueError, "intersect: ia and ib must hold len(a) integers");
        goto done;
    }
    int64_t *ia = via.data, *ib = vib.data;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t pos = lower_bound(b, m, a[k]);
        if (pos < m && b[pos] == a[k]) {
            ia[found] = k;
            ib[found++] = pos;
        }
    }
    result = PyLong_FromSsize_t(found);
done:
    ints_release(&va);
    ints_release(&vb);
    ints_release(&via);
    ints_release(&vib);
    return result;
}

/* numpy's pairwise summation of n contiguous doubles (numpy 2's ndarray.sum() of a 1-D float64
 * array: blocks of up to 128 summed with 8 accumulators, longer runs split in two at a multiple
 * of 8), so that a sum here equals the numpy sum of the same values bit for bit. */
static double pairwise_sum(const double *a, Py_ssize_t n) {
    if (n < 8) {
        double res = 0.;
        for (Py_ssize_t i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        Py_ssize_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* sets.weighted_sum_in: the sum of weights[k] over the values[k] found in the sorted array, in
 * the order of the values (weights: one double per value). */
static PyObject *weighted_sum_in(PyObject *self, PyObject *args) {
    PyObject *ovalues, *oweights, *oset, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOO:weighted_sum_in", &ovalues, &oweights, &oset)) return NULL;
    Ints vv = {0}, vs = {0};
    Py_buffer vw = {0};
    double *kept = NULL;
    if (ints_get(ovalues, &vv, 8, 0, "values") < 0 || ints_get(oset, &vs, 8, 0, "sorted_set") < 0) goto done;
    if (PyObject_GetBuffer(oweights, &vw, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        vw.obj = NULL;
        goto done;
    }
    const int64_t *values = vv.data, *set = vs.data;
    Py_ssize_t n = vv.n, m = vs.n, found = 0;
    if (vw.ndim != 1 || vw.itemsize != 8 || !vw.format || strcmp(vw.format, "d") != 0 || vw.len != 8 * n) {
        PyErr_SetString(PyExc_ValueError,
                        "weighted_sum_in: weights must be a float64 array with one item per value");
        goto done;
    }
    kept = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    if (!kept) { PyErr_NoMemory(); goto done; }
    const char *weights = vw.buf;
    Finder finder = {set, m, 0, 0, 0};
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t pos = finder_seek(&finder, values[k]);
        /* (memcpy: the weights may sit at any address) */
        if (pos < m && set[pos] == values[k]) memcpy(&kept[found++], weights + 8 * k, sizeof(double));
    }
    /* numpy adds the pairwise sum to the identity, +0.0: negative zeros come out alike. */
    result = PyFloat_FromDouble(0.0 + pairwise_sum(kept, found));
done:
    PyMem_Free(kept);
    ints_release(&vv);
    ints_release(&vs);
    if (vw.obj) PyBuffer_Release(&vw);
    return result;
}

/* One share of sets.shares_in: the weights of values[0:n] found in set[0:m] over all their
 * weights, each summed in order as np.bincount sums (0.0 where they weigh nothing). */
static double share_in(const int64_t *values, const char *weights, Py_ssize_t n, const int64_t *set, Py_ssize_t m) {
    double total = 0.0, kept = 0.0;
    Finder finder = {set, m, 0, 0, 0};
    for (Py_ssize_t k = 0; k < n; k++) {
        double w;
        memcpy(&w, weights + 8 * k, sizeof(double));
        Py_ssize_t pos = finder_seek(&finder, values[k]);
        total += w;
        kept += pos < m && set[pos] == values[k] ? w : 0.0;
    }
    return total ? kept / total : 0.0;
}

/* sets.shares_in: for each (values, weights) pair of the two sequences, share_in against the
 * sorted set; a list of floats. */
static PyObject *shares_in(PyObject *self, PyObject *args) {
    PyObject *oparts, *oweights, *oset, *parts = NULL, *weights = NULL, *result = NULL, *out = NULL;
    if (!PyArg_ParseTuple(args, "OOO:shares_in", &oparts, &oweights, &oset)) return NULL;
    Ints vs = {0};
    if (ints_get(oset, &vs, 8, 0, "sorted_set") < 0) goto done;
    if (!(parts = PySequence_Fast(oparts, "shares_in: parts must be a sequence"))
        || !(weights = PySequence_Fast(oweights, "shares_in: weights must be a sequence")))
        goto done;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(parts);
    if (PySequence_Fast_GET_SIZE(weights) != count) {
        PyErr_SetString(PyExc_ValueError, "shares_in: one weights array per part expected");
        goto done;
    }
    if (!(out = PyList_New(count))) goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        Ints vv = {0};
        Py_buffer vw = {0};
        if (ints_get(PySequence_Fast_GET_ITEM(parts, i), &vv, 8, 0, "part") < 0) goto done;
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(weights, i), &vw, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
            ints_release(&vv);
            goto done;
        }
        PyObject *share = NULL;
        if (vw.ndim != 1 || vw.itemsize != 8 || !vw.format || strcmp(vw.format, "d") != 0 || vw.len != 8 * vv.n)
            PyErr_SetString(PyExc_ValueError, "shares_in: weights must be float64 arrays with one item per value");
        else
            share = PyFloat_FromDouble(share_in(vv.data, vw.buf, vv.n, vs.data, vs.n));
        ints_release(&vv);
        PyBuffer_Release(&vw);
        if (!share) goto done;
        PyList_SET_ITEM(out, i, share);
    }
    result = out;
    out = NULL;
done:
    Py_XDECREF(out);
    Py_XDECREF(parts);
    Py_XDECREF(weights);
    ints_release(&vs);
    return result;
}

typedef struct { int64_t first_a, first_b; } Shared;

static int by_first_a(const void *x, const void *y) {
    int64_t a = ((const Shared *)x)->first_a, b = ((const Shared *)y)->first_a;
    return (a > b) - (a < b);
}

/* align.shared_content_in_order: (terms in both sorted term arrays, the longest run of them
 * in the same order in both texts by their first positions). */
static PyObject *ordered_shared(PyObject *self, PyObject *args) {
    PyObject *ota, *ofa, *otb, *ofb, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOO:ordered_shared", &ota, &ofa, &otb, &ofb)) return NULL;
    Ints vta = {0}, vfa = {0}, vtb = {0}, vfb = {0};
    Shared *shared = NULL;
    int64_t *tails = NULL;
    if (ints_get(ota, &vta, 8, 0, "terms_a") < 0 || ints_get(ofa, &vfa, 8, 0, "first_a") < 0
        || ints_get(otb, &vtb, 8, 0, "terms_b") < 0 || ints_get(ofb, &vfb, 8, 0, "first_b") < 0) goto done;
    const int64_t *ta = vta.data, *fa = vfa.data, *tb = vtb.data, *fb = vfb.data;
    Py_ssize_t n = vta.n, m = vtb.n, count = 0, len = 0;
    if (vfa.n != n || vfb.n != m) {
        PyErr_SetString(PyExc_ValueError, "ordered_shared: a first position per term expected");
        goto done;
    }
    shared = PyMem_Malloc((size_t)(n + 1) * sizeof(Shared));
    tails = PyMem_Malloc((size_t)(n + 1) * sizeof(int64_t));
    if (!shared || !tails) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t pos = lower_bound(tb, m, ta[k]);
        if (pos < m && tb[pos] == ta[k]) shared[count++] = (Shared){fa[k], fb[pos]};
    }
    /* Positions in a are distinct (each term's first token), so any sort is the stable one. */
    if (count > 1) qsort(shared, (size_t)count, sizeof(Shared), by_first_a);
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t lo = 0, hi = len;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (tails[mid] < shared[k].first_b) lo = mid + 1;
            else hi = mid;
        }
        tails[lo] = shared[k].first_b;
        if (lo == len) len++;
    }
    result = Py_BuildValue("(nn)", count, len);
done:
    PyMem_Free(shared);
    PyMem_Free(tails);
    ints_release(&vta);
    ints_release(&vfa);
    ints_release(&vtb);
    ints_release(&vfb);
    return result;
}

static PyMethodDef methods[] = {
    {"align_walk", align_walk, METH_VARARGS,
     "align_walk(a, b, ai, bj, content_upto_a, numbers_upto_a, numbers_upto_b, max_sub, min_passage, refine_cells)\n"
     "-> (len_a, len_b, matched, matched_content, internal_edits, numbers_shared, longest_run,\n"
     "    passages, substitutions, number_conflicts): align._align_walk_py, compiled."},
    {"member", member, METH_VARARGS, "member(values, sorted_set, out): sets.in_sorted into out (bool array)."},
    {"weighted_sum_in", weighted_sum_in, METH_VARARGS,
     "weighted_sum_in(values, weights, sorted_set) -> float: sets.weighted_sum_in."},
    {"shares_in", shares_in, METH_VARARGS,
     "shares_in(parts, weights, sorted_set) -> [float]: sets.shares_in."},
    {"intersect", intersect, METH_VARARGS, "intersect(a, sorted_b, ia, ib) -> n: sets.intersect_sorted into ia[:n], ib[:n]."},
    {"ordered_shared", ordered_shared, METH_VARARGS,
     "ordered_shared(terms_a, first_a, terms_b, first_b) -> (shared, ordered): align.shared_content_in_order."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_calign", NULL, -1, methods};

/* Raised with every change to what a function computes; archive/provenance/compiled.py uses the
 * module only when its own number matches (a build older than the Python beside it is ignored). */
#define CALIGN_VERSION 4

PyMODINIT_FUNC PyInit__calign(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "VERSION", CALIGN_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
