"""FPGA builds with the open toolchain (Yosys, nextpnr, icepack/ecppack from
PyPI as YoWASP WebAssembly).

Modules
-------
toolchain
    Finding the tools (``YOSYS``, ``NEXTPNR_ICE40``, ... environment
    variables, YoWASP defaults) and one-line errors for missing ones.
core
    :class:`~fftforge.fpga.core.CoreSource`: a descriptor and its Verilog.
harness
    LFSR stimulus, output checksum and self-check against the bit-true model.
synth
    Out-of-context synthesis + place-and-route and the report schema.
floorplan
    ECP5: the stream shell's broadcast registers pinned at the die's centre
    before nextpnr (``--floorplan``).
congestion
    Where a build's routing congestion is: nextpnr router2 heatmaps summed
    by part of the core (``python -m fftforge.fpga.congestion``).
boards
    Board tops and bitstreams for amaranth-boards platforms (iCE40, ECP5).
flow
    What ``fftforge synth`` runs (one build or a sweep) and the provenance
    (``meta``) of its results.
sweep
    Design-space sweeps on local processes or a Dask cluster; CSV/JSON/plots.
calibrate
    Regenerating the cost model's FPGA calibration table from results.
"""
