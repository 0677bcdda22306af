"""Drive a stream component in Amaranth's simulator with random valid/ready
stalls and collect every output word (test helper)."""

import numpy as np
from amaranth.sim import Simulator


def run_stream(dut, samples, *, p_valid=1.0, p_ready=1.0, seed=0, fields=("re", "im"),
               extra_inputs=None, max_cycles=None, out_fields=("re", "im", "last", "overflow"),
               expect=None, idle_tail=0, side=None):
    """Feed ``samples`` (list of dicts of payload fields) into ``dut.i`` and
    collect ``expect`` output words (default len(samples)).

    ``extra_inputs``: list (same length as samples) of lists of (signal,
    value) pairs set together with each sample.  ``side``: a second input
    stream offered alongside, ``{"port": dut.w, "words": {field: array},
    "at": earliest cycle of each word, "p_valid": p}`` (its own random valid
    stalls); the number it accepted is stored back as ``side["accepted"]``.
    Returns (outputs, first_in_cycle, first_out_cycle)."""
    rng = np.random.default_rng(seed)
    n_out = len(samples) if expect is None else expect
    outputs = []
    info = {}
    budget = max_cycles or (len(samples) * 20 + 200000)

    async def tb(ctx):
        k = 0
        cycle = 0
        while len(outputs) < n_out:
            if cycle > budget:
                raise AssertionError(f"timeout: {len(outputs)} of {n_out} outputs after {cycle} cycles")
            v = k < len(samples) and rng.random() < p_valid
            ctx.set(dut.i.valid, int(v))
            if v:
                for f in fields:
                    ctx.set(getattr(dut.i.payload, f), int(samples[k][f]))
                if extra_inputs is not None:
                    for sig, val in extra_inputs[k]:
                        ctx.set(sig, int(val))
            if side is not None:
                j = side.setdefault("accepted", 0)
                sw = side["words"]
                sv = (j < len(side["at"]) and side["at"][j] <= cycle and rng.random() < side["p_valid"])
                ctx.set(side["port"].valid, int(sv))
                if sv:
                    for f, a in sw.items():
                        ctx.set(getattr(side["port"].payload, f), int(a[j]))
            r = rng.random() < p_ready
            ctx.set(dut.o.ready, int(r))
            if v and ctx.get(dut.i.ready):
                if k == 0:
                    info["first_in"] = cycle
                k += 1
            if side is not None and sv and ctx.get(side["port"].ready):
                side["accepted"] += 1
            if r and ctx.get(dut.o.valid):
                if not outputs:
                    info["first_out"] = cycle
                pl = dut.o.payload
                outputs.append({f: ctx.get(getattr(pl, f)) for f in out_fields})
            await ctx.tick()
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(tb)
    sim.run()
    return outputs, info.get("first_in"), info.get("first_out")
