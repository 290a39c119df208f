"""The on-disk full-text index: writing, snapshots, rebuild with an atomic swap, drift check.

Layout of an index directory::

    CURRENT        name of the live generation; replaced with os.replace, so readers always see
                   a complete index (rename(2) cannot swap a non-empty directory in one step)
    WRITELOCK      the archive's writer lock, held by any writer and for a whole rebuild
    gen-000002/    a Whoosh index, one per rebuild; the previous one is kept until the next
                   rebuild so searchers opened before a swap can finish

The writer lock is Whoosh's ``FileLock``, which on POSIX is ``fcntl.flock``: the kernel releases it
when the holding process exits or is killed, so a lock "left behind" by a crashed process is just an
unlocked file and the next writer takes it. Nothing has to detect or clear stale locks.
"""

from __future__ import annotations

import mmap
import os
import pickle
import shutil
import struct
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import columns
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import CorruptIndexError
from whoosh.util.filelock import FileLock, try_for

from archive.errors import BusyError, IndexStateError
from archive.records import record
from archive.search import manifest
from archive.search.docvalues import running_sums, written_lengths
from archive.search.schema import build_schema, to_fields
from archive.search.view import View

if TYPE_CHECKING:
    from whoosh.searching import Searcher
    from whoosh.writing import IndexWriter

    from archive.search.document import IndexDoc

CURRENT = "CURRENT"
LOCK_NAME = "WRITELOCK"
GEN_PREFIX = "gen-"
BUILD_PREFIX = ".building-"
DEFAULT_TIMEOUT = 5.0  # seconds a writer waits for the lock before BusyError
LIMIT_MB = 256  # Whoosh's in-memory posting pool per writer; larger means fewer spills to disk
# Plain segment files, not one compound file: whoosh3 opens a compound file by copying it whole
# into a BytesIO (BufferFile), which cost ~35 ms per searcher on Reuters; plain files cost ~1 ms.
WRITER_OPTIONS = {"limitmb": LIMIT_MB, "compound": False}
REBUILD_HINT = "run `archive index rebuild` to recreate it from the database"

# Opened indexes and their latest view, per index directory, shared by every SearchIndex in
# the process: opening a view reads the table of contents and, on first use, per-document
# offsets (~15-20 ms on Reuters), which a library user making many searches should pay once.
# A view is reused only while no commit has happened since it was opened (``up_to_date``),
# and only by the thread that opened it (a Whoosh reader reads files with seek + read, so it
# must not be shared between threads); a replaced one is not closed, as a Snapshot may still be
# reading through it.
# Keyed by the generation directory's identity too, as a rebuild after the live generation was
# deleted can reuse its name.
_OPENED: dict[Path, tuple[tuple[str, int, int], whoosh_index.FileIndex]] = {}
_VIEWS: dict[tuple[Path, int], tuple[tuple[str, int, int], View]] = {}
CACHED_VIEWS = 4  # (directory, thread) pairs whose view stays open (a dozen files each)

# What a damaged index can raise from deep inside Whoosh while opening or reading segments.
CORRUPTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    whoosh_index.IndexError,
    CorruptIndexError,
)


@record
class Drift:
    """How the index differs from the database, by document id."""

    missing: tuple[int, ...]  # in the database, not in the index
    stale: tuple[int, ...]  # in both, but the index has another content hash
    extra: tuple[int, ...]  # in the index only

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


@contextmanager
def damaged_index_errors(path: Path) -> Iterator[None]:
    """Turns low-level failures of a damaged index into one ``IndexStateError`` for the user."""
    try:
        yield
    except CORRUPTION_ERRORS as err:
        raise IndexStateError(f"the search index at {path} is damaged ({_describe(err)}); {REBUILD_HINT}") from err


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


class SearchIndex:
    """One index directory. Cheap to construct; every read sees the latest commit."""

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()
        self._generation: str | None = None
        self._stamp: tuple[str, int, int] | None = None
        self._ix: whoosh_index.FileIndex | None = None

    # ------------------------------------------------------------ opening

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT) -> SearchIndex:
        """An empty index at ``path``, replacing any index already there."""
        return cls.rebuild(path, (), timeout=timeout)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> SearchIndex:
        """The index at ``path``; ``IndexStateError`` if it is missing or damaged."""
        index = cls(Path(path).absolute())
        with index.view():
            pass
        return index

    def _current(self) -> whoosh_index.FileIndex:
        """The live generation, re-read on every use so a rebuild by anyone is picked up.

        Checked against its size manifest each time, so damage is reported before Whoosh reads it.
        """
        generation = _read_current(self.path)
        if generation is None:
            raise IndexStateError(f"there is no search index at {self.path}; {REBUILD_HINT}")
        directory = self.path / generation
        try:
            stat = directory.stat()
        except FileNotFoundError:
            raise FileNotFoundError(f"{generation} is missing") from None
        stamp = (generation, stat.st_ino, stat.st_ctime_ns)
        if stamp != self._stamp:
            opened = _OPENED.get(self.path)
            if opened is None or opened[0] != stamp:
                opened = _OPENED[self.path] = (stamp, whoosh_index.open_dir(str(directory)))
            self._ix = opened[1]
            self._generation = generation
            self._stamp = stamp
        assert self._ix is not None
        manifest.verify(self.path / generation, self._ix, REBUILD_HINT)
        return self._ix

    def _record_commit(self) -> None:
        assert self._ix is not None and self._generation is not None
        manifest.record(self.path / self._generation, self._ix)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str]) -> SearchIndex:
        if (Path(path) / CURRENT).exists():
            return cls.open(path)
        return cls.create(path)

    # ------------------------------------------------------------ reading

    @contextmanager
    def view(self) -> Iterator[View]:
        """A point-in-time view: commits made while it is open are not visible through it."""
        with damaged_index_errors(self.path):
            ix = self._current()
            assert self._stamp is not None
            key = (self.path, threading.get_ident())
            cached = _VIEWS.get(key)
            if cached is not None and cached[0] == self._stamp and cached[1].up_to_date():
                view = cached[1]
            else:
                view = View(ix.reader(), ix)
                _lengths_in_memory(view)
                _stored_fields_at_once(view)
                _remember_term_lookups(view)
                _terms_and_postings_mapped(view)
                _VIEWS.pop(key, None)
                _VIEWS[key] = (self._stamp, view)
                while len(_VIEWS) > CACHED_VIEWS:
                    del _VIEWS[next(iter(_VIEWS))]
        _forget_term_lookups(view)
        yield view

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """``view()``'s snapshot as Whoosh's own searcher (imported then: see ``view``)."""
        with self.view() as view, damaged_index_errors(self.path):
            searcher = view.searcher()
        yield searcher

    def doc_count(self) -> int:
        with self.view() as view, damaged_index_errors(self.path):
            return view.doc_count()

    def stored_hashes(self) -> dict[int, str]:
        """Document id -> content hash for every document in the index."""
        with self.view() as view, damaged_index_errors(self.path):
            reader = view.reader()
            ids = reader.column_reader("id")
            hashes = reader.column_reader("content_hash")
            return {int(ids[docnum]): hashes[docnum] for docnum in reader.all_doc_ids()}

    def read_everything(self) -> int:
        """Read every term's postings and every document's stored fields, as searches would
        (IndexStateError at the first damaged one): damage inside a file that opening the index
        and comparing its ids and hashes with the store do not reach. Returns the postings read."""
        read = 0
        with self.view() as view, damaged_index_errors(self.path):
            for leaf, _ in view.reader().leaf_readers():
                documents = leaf.doc_count_all()
                for fieldname, text in leaf.all_terms():
                    last = -1
                    for docnum, _ in leaf.postings(fieldname, text).all_items():
                        if not last < docnum < documents:  # (postings ascend within the segment)
                            raise CorruptIndexError(f"the postings of {fieldname}:{text!r} name document "
                                                    f"{docnum} after {last}, of {documents}")
                        last = docnum
                        read += 1
                for docnum in range(documents):
                    leaf.stored_fields(docnum)
        return read

    def older_word_rule(self) -> bool:
        """The index's text fields split words by an older rule than this version's
        (analysis.WORD_RULE): words of the scripts that rule changed are found only once it is
        rebuilt."""
        from archive.search.analysis import WORD_RULE
        from archive.search.schema import Text, word_rule

        with damaged_index_errors(self.path):
            schema = self._current().schema
        return any(isinstance(field, Text) and word_rule(field) < WORD_RULE for _, field in schema.items())

    def check(self, db_hashes: dict[int, str]) -> Drift:
        """Compare the index with the database's id -> content hash map."""
        indexed = self.stored_hashes()
        return Drift(
            missing=tuple(sorted(db_hashes.keys() - indexed.keys())),
            stale=tuple(sorted(i for i in db_hashes.keys() & indexed.keys() if db_hashes[i] != indexed[i])),
            extra=tuple(sorted(indexed.keys() - db_hashes.keys())),
        )

    # ------------------------------------------------------------ writing

    @contextmanager
    def writer(self, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[IndexWriter]:
        """The only writer: commits when the block ends, cancels if it raises."""
        with _writer_lock(self.path, timeout):
            with damaged_index_errors(self.path):
                writer = _open_writer(self._current())
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            with damaged_index_errors(self.path):
                writer.commit()
                self._record_commit()

    def add(self, docs: Iterable[IndexDoc], *, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Add documents known not to be indexed yet (no delete pass). Returns how many."""
        count = 0
        with self.writer(timeout=timeout) as writer:
            for doc in docs:
                writer.add_document(**to_fields(doc))
                count += 1
        return count

    def replace(self, docs: Iterable[IndexDoc], *, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Add or overwrite documents by id, in one writer. Returns how many."""
        count = 0
        with self.writer(timeout=timeout) as writer:
            for doc in docs:
                writer.delete_by_term("id", str(doc.id))
                writer.add_document(**to_fields(doc))
                count += 1
        return count

    def delete(self, ids: Iterable[int], *, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Remove documents by id. Returns how many index entries were removed."""
        with self.writer(timeout=timeout) as writer:
            return sum(writer.delete_by_term("id", str(i)) for i in ids)

    def optimize(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Merge all segments into one; searches get faster after many small batches."""
        with _writer_lock(self.path, timeout), damaged_index_errors(self.path):
            _open_writer(self._current()).commit(optimize=True)
            self._record_commit()

    def repair(
        self,
        drift: Drift,
        fetch_docs: Callable[[list[int]], Iterable[IndexDoc]],
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> int:
        """Bring the index in line with the database; returns the number of documents changed."""
        if drift.ok:
            return 0
        changed = 0
        with self.writer(timeout=timeout) as writer:
            for doc_id in drift.extra:
                changed += writer.delete_by_term("id", str(doc_id))
            for doc in fetch_docs([*drift.missing, *drift.stale]):
                writer.delete_by_term("id", str(doc.id))
                writer.add_document(**to_fields(doc))
                changed += 1
        return changed

    # ------------------------------------------------------------ rebuilding

    @classmethod
    def rebuild(
        cls, path: str | os.PathLike[str], docs: Iterable[IndexDoc], *, timeout: float = DEFAULT_TIMEOUT
    ) -> SearchIndex:
        """Build a new generation from ``docs`` next to the live one, then swap it in atomically.

        Holds the writer lock throughout, so no write can land in the old generation and be lost.
        If building fails the old index stays live and untouched.
        """
        root = Path(path)
        _clear_the_way(root)
        with _writer_lock(root, timeout):
            _remove_leftovers(root)
            building = root / f"{BUILD_PREFIX}{uuid.uuid4().hex}"
            building.mkdir()
            try:
                ix = FileStorage(str(building)).create_index(build_schema())
                with _open_writer(ix) as writer:
                    for doc in docs:
                        writer.add_document(**to_fields(doc))
                manifest.record(building, ix)
                ix.close()
                generation = root / _next_generation(root)
                os.rename(building, generation)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            # The previous generation stays until the next rebuild: a searcher opened before the
            # swap still reads some of its files lazily and would fail if they vanished now.
            _swap_current(root, generation.name)
        return cls.open(root)


def byte_column(column: Any) -> bytes:
    """A one-byte-per-document column (field lengths) as bytes, in one read.

    Iterating whoosh3's column reader costs a seek and a one-byte read per document (140 ms of
    the first search on Reuters); its stored values are contiguous, so read them at once and pad
    the documents after the last stored value with the default (what iteration yields there).
    """
    if getattr(column, "_fixedlen", None) == 1 and getattr(column, "_typecode", None) == "B":
        stored = column._dbfile.get(column._basepos, column._count)
        return stored + column._defaultbytes * (column._doccount - column._count)
    return bytes(column)


def _lengths_in_memory(view: View) -> None:
    """Read each segment's field-length columns (one byte per document) into memory.

    Scoring asks for a document's field length once per matched term, and whoosh3 answers each
    call with a seek and a one-byte read of the column file: a third of the time of a phrase
    search on Reuters. A cached view pays for the whole column once. Uses whoosh3's
    per-document reader cache (``_perdoc._readers``); the version is pinned.
    """
    for leaf, _ in view.leaf_searchers():
        perdoc = getattr(leaf.reader(), "_perdoc", None)
        cache = getattr(perdoc, "_readers", None)
        if perdoc is None or not isinstance(cache, dict):
            continue
        for fieldname in leaf.schema.scorable_names():
            lenfield = f"_{fieldname}_len"  # whoosh3's name for a field's length column
            if lenfield not in cache and perdoc.has_column(lenfield):
                cache[lenfield] = byte_column(perdoc.column_reader(lenfield, LENGTHS_COLUMN))


def _terms_and_postings_mapped(view: View) -> None:
    """Read each segment's term and postings files through a memory map.

    whoosh3 reads them with a seek and a read of the open file for every value: a term lookup is
    four to six of them (hash slot, key lengths, key, term info), ~5 us each. A date filter's
    dozens of period terms looked up in 10 segments spent ~20 ms of a 45 ms search on that at
    200,000 documents. A slice of a map is the same bytes without the system calls; the map is
    made in constant time and pages in as it is read, like the file's own reads."""
    for leaf, _ in view.leaf_searchers():
        terms = getattr(leaf.reader(), "_terms", None)
        tindex = getattr(terms, "_tindex", None)
        for dbfile in (getattr(tindex, "dbfile", None), getattr(terms, "_postfile", None)):
            if dbfile is not None:
                _read_through_map(dbfile)


def _read_through_map(dbfile: Any) -> None:
    """Make ``dbfile.get`` (and whoosh's ``get_*`` built on it) slice a map of the file."""
    if "get" in vars(dbfile) or not getattr(dbfile, "is_real", False):
        return
    try:
        mapped = mmap.mmap(dbfile.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # an empty file cannot be mapped: keep whoosh's reads
        return

    def get(position: int, length: int) -> bytes:
        return mapped[position : position + length]

    dbfile.get = get


class _TermLookups:
    """A segment's term dictionary lookups (``HashReader.ranges_for_key``: a hash, then a seek and
    read per slot and key), remembered for the length of one search.

    One search looks each term up several times: to check it exists, to estimate the size of its
    part of an AND or OR (once per level of the tree), for its document frequency, for its
    postings and for its scorer's statistics: ~700 lookups of 60 terms for three words over 10
    segments. Forgotten when the next search starts (``_forget_term_lookups``), so a search never
    gains from an earlier one."""

    def __init__(self, lookup: Callable[[bytes], Iterator[tuple[int, int]]]) -> None:
        self.lookup = lookup
        self.found: dict[bytes, tuple[tuple[int, int], ...]] = {}

    def __call__(self, key: bytes) -> tuple[tuple[int, int], ...]:
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = tuple(self.lookup(key))
        return found


def _term_index(leaf: View) -> Any:
    return getattr(getattr(leaf.reader(), "_terms", None), "_tindex", None)


def _remember_term_lookups(view: View) -> None:
    """Put a ``_TermLookups`` in front of each segment's term dictionary (whoosh3's
    ``W3TermsReader._tindex``, which looks every key up through ``ranges_for_key``)."""
    for leaf, _ in view.leaf_searchers():
        tindex = _term_index(leaf)
        if tindex is not None and hasattr(tindex, "ranges_for_key") and "ranges_for_key" not in vars(tindex):
            tindex.ranges_for_key = _TermLookups(tindex.ranges_for_key)


def _forget_term_lookups(view: View) -> None:
    for leaf, _ in view.leaf_searchers():
        lookups = getattr(_term_index(leaf), "ranges_for_key", None)
        if isinstance(lookups, _TermLookups):
            lookups.found.clear()


class _CompressedBytes(columns.CompressedBytesColumn):
    """whoosh3's stored-fields column read as whoosh3 reads it, except for the offsets."""

    class Reader(columns.CompressedBytesColumn.Reader):
        def _read_offsets_and_lengths(self) -> None:
            """Each document's offset as the running sum of the lengths before it, in C.

            whoosh3 sums them in a Python loop over every document of the segment the first time
            a document's stored fields are read (a few ms a segment of 20,000, paid by every
            `archive search` process once per segment its hits are in)."""
            lengths = written_lengths(self)
            if lengths is None:  # the offsets were written: whoosh3 reads them in one go
                super()._read_offsets_and_lengths()
                return
            self._lengths = lengths
            self._offsets = running_sums(lengths)


_STORED_COLUMN = columns.PickleColumn(_CompressedBytes())


class _StoredFieldsReader:
    """Stands in whoosh3's per-document reader cache for the ``_stored`` column until first read."""

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._reader: Any = None

    def __getitem__(self, docnum: int) -> Any:
        if self._reader is None:
            self._reader = self._perdoc.column_reader("_stored", _STORED_COLUMN)
        return self._reader[docnum]


def _stored_fields_at_once(view: View) -> None:
    """Read stored fields through :class:`_CompressedBytes` (whoosh3's ``stored_fields`` takes its
    column reader from the per-document reader cache, ``_perdoc._readers``; the version is pinned)."""
    for leaf, _ in view.leaf_searchers():
        perdoc = getattr(leaf.reader(), "_perdoc", None)
        cache = getattr(perdoc, "_readers", None)
        if isinstance(cache, dict) and "_stored" not in cache and perdoc.has_column("_stored"):
            cache["_stored"] = _StoredFieldsReader(perdoc)


def _open_writer(ix: whoosh_index.FileIndex) -> IndexWriter:
    from archive.search.writer import PooledSegmentWriter

    return PooledSegmentWriter(ix, **WRITER_OPTIONS)


@contextmanager
def _writer_lock(root: Path, timeout: float) -> Iterator[None]:
    lock = FileLock(str(root / LOCK_NAME))
    if not try_for(lock.acquire, timeout=timeout, delay=0.05):
        raise BusyError(
            f"another archive process is writing the index at {root}; "
            f"try again when it has finished (waited {timeout:g} s)"
        )
    try:
        yield
    finally:
        lock.release()


def _clear_the_way(root: Path) -> None:
    """The index folder and its lock file made possible where a file stands in for the folder or a
    folder for the lock file: neither holds an index, nor a lock anyone can hold."""
    if not root.is_dir() and (root.is_file() or root.is_symlink()):
        root.unlink()
    root.mkdir(parents=True, exist_ok=True)
    lock = root / LOCK_NAME
    if lock.is_dir() and not lock.is_symlink():
        shutil.rmtree(lock)


def _read_current(root: Path) -> str | None:
    pointer = root / CURRENT
    return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None


def _swap_current(root: Path, generation: str) -> None:
    temporary = root / f"{CURRENT}.{uuid.uuid4().hex}"
    temporary.write_text(generation + "\n", encoding="utf-8")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, root / CURRENT)


def _next_generation(root: Path) -> str:
    numbers = [int(p.name[len(GEN_PREFIX) :]) for p in root.glob(f"{GEN_PREFIX}*") if p.name[len(GEN_PREFIX) :].isdigit()]
    return f"{GEN_PREFIX}{max(numbers, default=0) + 1:06d}"


def _remove_leftovers(root: Path) -> None:
    """Earlier generations, half-built ones and pointer temp files of a killed rebuild, and a
    pointer that is not a file.

    Runs under the writer lock at the start of a rebuild, which every other command names as the
    remedy for a damaged index: so a pointer that cannot be read keeps no generation, and one that
    is a directory goes, as the new pointer cannot replace it.
    """
    try:
        current = _read_current(root)
    except (OSError, UnicodeDecodeError):
        current = None
    for entry in root.iterdir():
        if (entry.name.startswith(BUILD_PREFIX) or (entry.name.startswith(GEN_PREFIX) and entry.name != current)
                or entry.name.startswith(f"{CURRENT}.") or (entry.name == CURRENT and entry.is_dir())):
            _remove(entry)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)
