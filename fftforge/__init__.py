"""fftforge: FFT accelerator generator and cost model.

Subpackages (each a top-level folder of the repository):

* :mod:`fftforge.hdl` -- Amaranth RTL generators (FFT/iFFT cores, parts).
* :mod:`fftforge.pyref` -- float reference and bit-true fixed-point models.
* :mod:`fftforge.sim` -- cocotb test benches driven from core descriptors.
* :mod:`fftforge.costmodel` -- latency/throughput/energy model vs matmul arrays.
"""
from fftforge.config import FFTConfig, ConfigError
from fftforge.errors import UserError

__version__ = "0.1.0"
__all__ = ["FFTConfig", "ConfigError", "UserError", "__version__"]
