"""Formal verification of fftforge cores with SymbiYosys (all from PyPI).

* :mod:`.runner`    -- write RTLIL + ``.sby``, run ``yowasp-sby`` with Yices,
  parse PASS/FAIL/UNKNOWN and time, find the counterexample VCD.
* :mod:`.streams`   -- stream-contract harnesses (PipelineControl, FFTCore).
* :mod:`.parts`     -- rounding/saturation stage, butterfly, complex multiplier
  against Amaranth-level specs.
* :mod:`.registry`  -- the property sets ``fftforge prove`` runs.
* :mod:`.mutants`   -- broken designs every proof family must reject.
* :mod:`.whitebox`  -- access to a component's internal registers, for the
  invariants that make k-induction go through.
"""
