"""Chunked data sources: (x, y) that arrive in blocks, from memory, an iterator or a file.

A :class:`Source` yields (x, y) chunks; ``route.fit(source, None)`` (routes on sufficient
statistics) and ``fitters.reference.normal_equation(source)`` read it once, keeping only the
second moments (:mod:`fitters.moments`), so resident memory is one chunk whatever n is.
:func:`open_data` is what ``python -m fitters --data FILE`` calls:

- ``big.npy``: a 2-D array (n, p+1): x is every column but the last, y the last; each chunk
  is a memory map of its own rows, unmapped when the chunk is dropped, so the file's pages
  never add up in the process's resident memory (one map of the whole file would count
  every page read, 1.6 GB at n = 10^8);
- ``(x.npy, y.npy)``: a pair of such arrays, x (n,) or (n, p), y (n,);
- ``data.csv``: a header naming ``x`` (or ``x1,x2,...``) and ``y``, read ``chunk_rows`` lines
  at a time by numpy.loadtxt (NumPy's C reader, already a dependency) on one open file.

Progress (``progress=True``) is drawn by rich (installed with Keras, so no new dependency)
on stderr, in rows for arrays and in bytes for CSV. No validation happens here: chunks are
checked by :func:`fitters.validation.problem` as they stream past.
"""

from __future__ import annotations

import csv
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

__all__ = ["CHUNK_ROWS", "Source", "from_arrays", "from_iterable", "open_data"]

#: rows per chunk of an array or file source: 2^18 rows x 2 columns = 4 MiB per chunk
CHUNK_ROWS = 1 << 18

Chunk = tuple[np.ndarray, np.ndarray]


class Source:
    """(x, y) chunks and how to read them again.

    ``chunks()`` starts a pass. ``reiterable`` says whether a second pass is possible (a
    file or an array: yes; a one-shot iterator: no); the reference and the spectrum fall
    back to a second pass (a blocked QR) only for very ill-conditioned data.
    """

    def __init__(
        self,
        passes: Callable[[], Iterator[Chunk]],
        *,
        name: str,
        reiterable: bool,
        rows: int | None = None,
        progress: bool = False,
    ):
        self._passes = passes
        self.name = name
        self.reiterable = reiterable
        self.rows = rows
        self.progress = progress
        self._used = False

    def chunks(self) -> Iterator[Chunk]:
        """One pass over the data, chunk by chunk (with a progress bar when asked)."""
        if self._used and not self.reiterable:
            raise ValueError(f"{self.name} is a one-shot iterator and was already read")
        self._used = True
        if not self.progress:
            yield from self._passes()
            return
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(f"reading {self.name}", total=self.rows)
            for x, y in self._passes():
                yield x, y
                bar.advance(task, len(y))

    def __repr__(self) -> str:
        return f"Source({self.name!r}, rows={self.rows}, reiterable={self.reiterable})"


def from_arrays(x, y, chunk_rows: int = CHUNK_ROWS, *, name: str = "arrays") -> Source:
    """In-memory x, y served as views of ``chunk_rows`` rows (no copy)."""
    x, y = np.asarray(x), np.asarray(y)
    _positive(chunk_rows)

    def passes() -> Iterator[Chunk]:
        for start in range(0, len(y), chunk_rows):
            yield x[start : start + chunk_rows], y[start : start + chunk_rows]

    return Source(passes, name=name, reiterable=True, rows=len(y))


def from_iterable(chunks: Iterable[Chunk], *, name: str = "an iterator of (x, y) chunks") -> Source:
    """Any iterable of (x, y) pairs; a list or tuple can be read again, an iterator once."""
    if isinstance(chunks, list | tuple):
        held = list(chunks)
        return Source(lambda: iter(held), name=name, reiterable=True)
    iterator = iter(chunks)
    return Source(lambda: iterator, name=name, reiterable=False)


def _positive(chunk_rows: int) -> None:
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows must be a positive integer, got {chunk_rows!r}")


def _npy(path: Path) -> np.memmap:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable .npy array ({exc})") from exc


class _NpyRows:
    """Row blocks of a C-ordered .npy file, each its own memory map (see the module doc)."""

    def __init__(self, path: Path):
        whole = _npy(path)
        self.path, self.shape, self.dtype = path, whole.shape, whole.dtype
        self._offset = whole.offset
        # a Fortran-ordered file has no contiguous rows: its one map is served as views
        self._whole = whole if (whole.ndim > 1 and not whole.flags.c_contiguous) else None
        del whole

    def __len__(self) -> int:
        return self.shape[0]

    def block(self, start: int, rows: int) -> np.ndarray:
        if self._whole is not None:
            return self._whole[start : start + rows]
        row_bytes = self.dtype.itemsize * int(np.prod(self.shape[1:], dtype=np.int64))
        return np.memmap(
            self.path,
            dtype=self.dtype,
            mode="r",
            offset=self._offset + start * row_bytes,
            shape=(rows, *self.shape[1:]),
        )


def _rows_source(
    chunk_of: Callable[[int, int], Chunk], n: int, chunk_rows: int, name: str, progress: bool
) -> Source:
    _positive(chunk_rows)

    def passes() -> Iterator[Chunk]:
        for start in range(0, n, chunk_rows):
            yield chunk_of(start, min(chunk_rows, n - start))

    return Source(passes, name=name, reiterable=True, rows=n, progress=progress)


def _npy_source(path: Path, chunk_rows: int, progress: bool) -> Source:
    data = _NpyRows(path)
    if len(data.shape) != 2 or data.shape[1] < 2:
        raise ValueError(
            f"{path}: expected a 2-D array of shape (n, p+1) whose last column is y, got "
            f"shape {data.shape}; or pass the pair (x.npy, y.npy)"
        )

    def chunk_of(start: int, rows: int) -> Chunk:
        block = data.block(start, rows)
        return block[:, :-1], block[:, -1]

    return _rows_source(chunk_of, len(data), chunk_rows, str(path), progress)


def _pair_source(paths: tuple[Path, Path], chunk_rows: int, progress: bool) -> Source:
    x, y = (_NpyRows(p) for p in paths)
    if len(x) != len(y):
        raise ValueError(f"{paths[0]} has {len(x)} rows but {paths[1]} has {len(y)}")
    name = f"{paths[0]} + {paths[1]}"

    def chunk_of(start: int, rows: int) -> Chunk:
        return x.block(start, rows), y.block(start, rows)

    return _rows_source(chunk_of, len(x), chunk_rows, name, progress)


def _csv_columns(path: Path, header: list[str]) -> tuple[list[int], int]:
    names = [h.strip() for h in header]
    if "y" not in names:
        raise ValueError(f"{path}: the header must name a column y, got {names}")
    xs = [i for i, h in enumerate(names) if h == "x" or (h.startswith("x") and h[1:].isdigit())]
    if not xs:
        raise ValueError(f"{path}: the header must name x (or x1, x2, ...), got {names}")
    return xs, names.index("y")


def _csv_source(path: Path, chunk_rows: int, progress: bool) -> Source:
    with open(path, newline="") as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise ValueError(f"{path}: empty file; need a header naming x and y, then rows")
    xs, yi = _csv_columns(path, header)

    def passes() -> Iterator[Chunk]:
        with open(path) as fh:
            fh.readline()
            line = 2
            while True:
                try:
                    with warnings.catch_warnings():  # the end of the file is no news
                        warnings.filterwarnings("ignore", "loadtxt: input contained no data")
                        block = np.loadtxt(
                            fh, delimiter=",", max_rows=chunk_rows, ndmin=2, dtype=np.float64
                        )
                except ValueError as exc:
                    raise ValueError(
                        f"{path}: unreadable row within lines {line}..{line + chunk_rows - 1}: "
                        f"{exc}"
                    ) from exc
                if block.shape[0] == 0:
                    return
                line += block.shape[0]
                yield block[:, xs], block[:, yi]

    # rows are unknown until read: the bar counts them without a total
    return Source(passes, name=str(path), reiterable=True, rows=None, progress=progress)


def open_data(
    path_or_pair: str | os.PathLike | tuple[str | os.PathLike, str | os.PathLike],
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = False,
) -> Source:
    """A chunked source for ``data.npy`` ((n, p+1), y last), ``(x.npy, y.npy)`` or ``data.csv``.

    Nothing is read but the headers until the source is iterated; ``progress`` draws a bar
    on stderr while it is. Raises ValueError naming the file for anything unreadable.
    """
    _positive(chunk_rows)
    if isinstance(path_or_pair, tuple | list):
        if len(path_or_pair) != 2:
            raise ValueError(f"pass one file or a pair (x.npy, y.npy), got {path_or_pair!r}")
        paths = tuple(Path(p) for p in path_or_pair)
        for p in paths:
            _exists(p)
        return _pair_source(paths, chunk_rows, progress)
    path = Path(path_or_pair)
    _exists(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return _npy_source(path, chunk_rows, progress)
    if suffix in (".csv", ".txt"):
        return _csv_source(path, chunk_rows, progress)
    raise ValueError(
        f"{path}: unknown data format {suffix!r}; use .npy, a (x.npy, y.npy) pair or .csv"
    )


def _exists(path: Path) -> None:
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
