"""Single-path delay-feedback butterfly stage, bit-true twin of
:class:`fftforge.hdl.sdf.SDFButterfly`.

A stage with delay D works on blocks of 2D stream samples: the first half
``a`` and second half ``b`` of each block give ``a + b`` then ``a - b``, each
shifted right by the stage's schedule entry (rounded) and resized to the
stage's output width.  The stream order out of the stage is: the D sums, then
the D differences (decimation in frequency).

For ``bf2ii`` (the second butterfly of a radix-2^2 pair) the period is 4D and
``b`` is multiplied by -j in the second block of each period.
"""

from __future__ import annotations

import numpy as np

from fftforge.pyref.butterfly import butterfly
from fftforge.pyref.fixed import resize, round_shift

__all__ = ["sdf_stage"]


def sdf_stage(re, im, ovf, part, cfg):
    """Apply one SDF butterfly stage to stream-order arrays of shape (frames, N)."""
    frames, n = re.shape
    d = part.delay
    if part.kind == "bf2":
        shape = (frames, n // (2 * d), 2, d)
        minus_j = False
    elif part.kind == "bf2ii":
        shape = (frames, n // (4 * d), 2, 2, d)
        minus_j = np.array([False, True]).reshape(2, 1)
    else:
        raise ValueError(f"not a butterfly part: {part.kind}")
    r, i, o = re.reshape(shape), im.reshape(shape), ovf.reshape(shape)
    s_re, s_im, d_re, d_im = butterfly(r[..., 0, :], i[..., 0, :], r[..., 1, :], i[..., 1, :], minus_j)
    flags_in = o[..., 0, :] | o[..., 1, :]
    outs = []
    for v_re, v_im in ((s_re, s_im), (d_re, d_im)):
        v_re = round_shift(v_re, part.shift, cfg.rounding)
        v_im = round_shift(v_im, part.shift, cfg.rounding)
        v_re, f1 = resize(v_re, part.width_out, cfg.overflow)
        v_im, f2 = resize(v_im, part.width_out, cfg.overflow)
        outs.append((v_re, v_im, flags_in | f1 | f2))
    out_re = np.stack([outs[0][0], outs[1][0]], axis=-2).reshape(frames, n)
    out_im = np.stack([outs[0][1], outs[1][1]], axis=-2).reshape(frames, n)
    out_ovf = np.stack([outs[0][2], outs[1][2]], axis=-2).reshape(frames, n)
    return out_re, out_im, out_ovf
