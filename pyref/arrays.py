"""User arrays in and out of the bit-true models (``fftforge model``).

A core's input words are integers: a ``.npy`` of frames may hold them as
complex numbers with integer values, as integers (real input), or as integer
``(frames, n, 2)`` pairs.  :func:`model_input` turns any of these into the
``(re, im)`` int64 arrays the models take, and says in one line
(:class:`~fftforge.errors.UserError`) what is wrong with any other array.
:func:`model_output` is the inverse direction: the model's output words as a
complex or integer-pair array.

Examples
--------
>>> import numpy as np
>>> re, im = model_input(np.array([1 + 2j, 3, 0, -1]), 4)
>>> re.tolist(), im.tolist()
([[1, 3, 0, -1]], [[2, 0, 0, 0]])
"""

from __future__ import annotations

import numpy as np

from fftforge.errors import UserError

__all__ = ["model_input", "load_model_input", "load_inverse_flags", "load_log2n", "run_model", "model_output"]


def model_input(x, n: int, source: str = "input") -> tuple:
    """Frames of input words ``(re, im)``, int64 arrays (frames, n), from
    ``x``: complex (frames, n) with integer values, integer or integer-valued
    float (frames, n) (real input, ``im = 0``), or integer (frames, n, 2).
    A single frame may be 1-D (n,).

    Raises
    ------
    UserError
        One line starting with ``source`` (the file name) for any other
        dtype or shape, non-integer values, or frames of another length.
    """
    x = np.asarray(x)
    if x.ndim == 1 and x.shape[0] == n:
        x = x[None, :]
    if x.ndim == 3 and x.shape[2] == 2 and x.dtype.kind in "iu":
        re, im = x[..., 0].astype(np.int64), x[..., 1].astype(np.int64)
    elif x.ndim == 2 and np.iscomplexobj(x):
        re, im = x.real, x.imag
        if not (np.all(re == np.round(re)) and np.all(im == np.round(im))):
            raise UserError(f"{source}: complex input must hold integer values (the core's input words)")
        re, im = re.astype(np.int64), im.astype(np.int64)
    elif x.ndim == 2 and x.dtype.kind in "iu":
        re, im = x.astype(np.int64), np.zeros(x.shape, dtype=np.int64)
    elif x.ndim == 2 and x.dtype.kind == "f":
        if not np.all(x == np.round(x)):
            raise UserError(f"{source}: real input must hold integer values (the core's input words)")
        re, im = x.astype(np.int64), np.zeros(x.shape, dtype=np.int64)
    else:
        raise UserError(f"{source}: expected a complex or integer array of shape (frames, {n}) "
                        f"or (frames, {n}, 2), got {x.dtype} {x.shape}")
    if re.shape[1] != n:
        raise UserError(f"{source}: frames must have {n} samples, got shape {x.shape}")
    return re, im


def load_model_input(path: str, n: int) -> tuple:
    """:func:`model_input` of the ``.npy`` file ``path`` (no pickles);
    :class:`UserError` (one line) for a file that cannot be read."""
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read input array {path}: {e}") from None
    return model_input(x, n, path)


def load_inverse_flags(path: str) -> np.ndarray:
    """Per-frame ``inverse`` flags (runtime-direction cores) from a ``.npy``
    file, as a bool array; :class:`UserError` (one line) if unreadable."""
    try:
        return np.load(path, allow_pickle=False).astype(bool)
    except (OSError, ValueError, TypeError) as e:
        raise UserError(f"cannot read inverse flags {path}: {e}") from None


def load_log2n(path: str, frames: int) -> np.ndarray:
    """Per-frame log2 sizes (run-time-length cores) from a ``.npy`` file:
    integers, shape (frames,); :class:`UserError` (one line) otherwise."""
    try:
        k = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read --log2n sizes {path}: {e}") from None
    if k.dtype.kind not in "iu" or k.shape != (frames,):
        raise UserError(f"--log2n {path}: must be integers of shape ({frames},) (one per frame), "
                        f"got {k.dtype} {k.shape}")
    return k.astype(np.int64)


def run_model(cfg, re, im, inverse=None, log2n=None) -> tuple:
    """The bit-true model of ``cfg`` (:func:`fftforge.pyref.registry.model_for`)
    on frames ``re``, ``im``: ``(re, im, overflow)`` (block-floating-point
    cores: ``(re, im, overflow, exponent)``, one exponent per frame).  A frame the model
    rejects (its ``ValueError``) becomes a one-line :class:`UserError`."""
    from fftforge.pyref.registry import model_for
    try:
        if log2n is not None:
            return model_for(cfg)(re, im, inverse, log2n)
        return model_for(cfg)(re, im, inverse)
    except ValueError as e:
        raise UserError(str(e)) from None


def model_output(re, im, fmt: str = "complex") -> np.ndarray:
    """Output words as one array: ``"complex"``, complex128 (frames, n)
    (exact to 53 bits), or ``"int"``, int64 (frames, n, 2)."""
    if fmt == "complex":
        return np.asarray(re, dtype=np.float64) + 1j * np.asarray(im, dtype=np.float64)
    if fmt == "int":
        return np.stack([np.asarray(re, dtype=np.int64), np.asarray(im, dtype=np.int64)], axis=-1)
    raise ValueError(f"format must be 'complex' or 'int', got {fmt!r}")
