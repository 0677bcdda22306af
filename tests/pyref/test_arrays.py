"""pyref.arrays: user arrays into the bit-true models and their output back
(``fftforge model``), with one-line errors."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.pyref.arrays import load_inverse_flags, load_model_input, model_input, model_output, run_model
from fftforge.pyref.fft import FFTModel


def test_every_accepted_form_gives_int64_frames():
    z = np.array([[1 + 2j, -3, 0, 4j]])
    for x, want_im in ((z, z.imag), (np.stack([z.real, z.imag], -1).astype(np.int16), z.imag),
                       (z.real.astype(np.int32), 0 * z.real), (z.real.astype(np.float32), 0 * z.real),
                       (z[0], z.imag)):                                   # 1-D: one frame
        re, im = model_input(x, 4)
        assert re.dtype == im.dtype == np.int64 and re.shape == (1, 4)
        assert re.tolist() == z.real.astype(int).tolist() and im.tolist() == np.asarray(want_im, int).tolist()


@pytest.mark.parametrize("x, needle", [
    (np.array([[0.5 + 0j, 0, 0, 0]]), "complex input must hold integer values"),
    (np.array([[0.5, 0, 0, 0]]), "real input must hold integer values"),
    (np.zeros((2, 4, 3), dtype=np.int64), "expected a complex or integer array of shape (frames, 4)"),
    (np.array([["a"] * 4]), "got <U1 (1, 4)"),
    (np.zeros((2, 8), dtype=np.int64), "frames must have 4 samples, got shape (2, 8)"),
    (np.zeros((2, 8, 2), dtype=np.int64), "frames must have 4 samples"),
])
def test_bad_arrays_are_one_line_naming_the_source(x, needle):
    with pytest.raises(UserError) as e:
        model_input(x, 4, "x.npy")
    assert str(e.value).startswith("x.npy: ") and needle in str(e.value) and "\n" not in str(e.value)


def test_files(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(8).reshape(2, 4))
    re, im = load_model_input(str(tmp_path / "x.npy"), 4)
    assert re.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]] and not im.any()
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    for path in (tmp_path / "junk.npy", tmp_path / "missing.npy"):
        with pytest.raises(UserError, match="cannot read input array"):
            load_model_input(str(path), 4)
    np.save(tmp_path / "pickled.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(UserError, match="cannot read input array"):
        load_model_input(str(tmp_path / "pickled.npy"), 4)
    np.save(tmp_path / "inv.npy", np.array([1, 0, 1]))
    assert load_inverse_flags(str(tmp_path / "inv.npy")).tolist() == [True, False, True]
    with pytest.raises(UserError, match="cannot read inverse flags"):
        load_inverse_flags(str(tmp_path / "missing.npy"))


def test_run_model_is_the_kind_model_and_output_formats():
    cfg = FFTConfig(n=16, width=10, direction="runtime")
    rng = np.random.default_rng(3)
    re, im = rng.integers(-512, 512, (3, 16)), rng.integers(-512, 512, (3, 16))
    inv = np.array([True, False, True])
    got = run_model(cfg, re, im, inv)
    want = FFTModel(cfg)(re, im, inv)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    y = model_output(got[0], got[1], "complex")
    assert y.dtype == np.complex128 and np.array_equal(y, got[0] + 1j * got[1])
    y = model_output(got[0], got[1], "int")
    assert y.dtype == np.int64 and y.shape == (3, 16, 2) and np.array_equal(y[..., 1], got[1])
    with pytest.raises(ValueError):
        model_output(got[0], got[1], "hex")
    with pytest.raises(UserError, match=r"shape \(frames, 16\)"):              # the model's ValueError
        run_model(cfg, re[:, :8], im[:, :8])
