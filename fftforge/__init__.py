"""fftforge: FFT accelerator generator and cost model.

Subpackages (each a top-level folder of the repository):

* :mod:`fftforge.hdl` -- Amaranth RTL generators (FFT/iFFT cores, parts).
* :mod:`fftforge.pyref` -- float reference and bit-true fixed-point models.
* :mod:`fftforge.sim` -- cocotb test benches driven from core descriptors.
* :mod:`fftforge.costmodel` -- latency/throughput/energy model vs matmul arrays.
* :mod:`fftforge.fpga` -- FPGA builds with the open toolchain: synthesis, boards, sweeps.
* :mod:`fftforge.formal` -- formal property sets (SymbiYosys) and their runner.
* :mod:`fftforge.cli` -- the ``fftforge`` command, one module per command.

This folder holds what they share: the core configurations
(:mod:`fftforge.config`, :mod:`fftforge.filter_config`), the table of core
kinds (:mod:`fftforge.kinds`) and :class:`UserError`.  The README's "Layout"
section lists every folder.
"""
from fftforge.config import FFTConfig, ConfigError
from fftforge.errors import UserError

__version__ = "0.1.0"
__all__ = ["FFTConfig", "ConfigError", "UserError", "__version__"]
