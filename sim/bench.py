"""Descriptor-driven cocotb bench for every fftforge stream core.

Run through :class:`fftforge.sim.runner.VerilatorSim`; the job list comes
from the JSON file named by ``FFTFORGE_SIM_JOBS``.  For each job the bench
resets the core, feeds the input frames with random ``valid`` stalls (and the
direction port, where present, set per frame), holds ``ready`` low at random,
collects every output word, compares each field with the expected words and
records the cycle of the first accepted input and the first output.

Every port name and payload field comes from the descriptor, so one bench
drives every core kind.
"""

from __future__ import annotations

import json
import os

import numpy as np

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from fftforge.sim.payload import pack, unpack


async def _reset(dut, ports, clk):
    rst = getattr(dut, ports["reset"])
    getattr(dut, ports["input"]["valid"]).value = 0
    getattr(dut, ports["output"]["ready"]).value = 0
    rst.value = 1
    for _ in range(3):
        await RisingEdge(clk)
    rst.value = 0


async def _run_job(dut, desc, job):
    ports = desc["ports"]
    clk = getattr(dut, ports["clock"])
    await _reset(dut, ports, clk)
    data = np.load(job["data"])
    in_fields = {k[3:]: data[k] for k in data.files if k.startswith("in_")}
    exp_fields = {k[4:]: data[k] for k in data.files if k.startswith("exp_")}
    shape = next(iter(in_fields.values())).shape
    frame = shape[-1]
    total_in = int(np.prod(shape))
    total_out = int(np.prod(next(iter(exp_fields.values())).shape))
    words = pack(ports["input"]["fields"], in_fields, total_in)
    direction = None
    if "direction" in ports and "direction" in data.files:
        direction = [int(v) for v in np.repeat(data["direction"], frame)]
        dir_port = getattr(dut, ports["direction"]["name"])

    rng = np.random.default_rng(job["seed"])
    budget = job["max_cycles"] or (total_in + total_out) * 40 + 20 * int(desc.get("latency_cycles", 0)) + 100000
    valid_draw = (rng.random(budget) < job["p_valid"]).tolist()
    ready_draw = (rng.random(budget) < job["p_ready"]).tolist()
    idle_every, idle_cycles = job["idle_every"], job["idle_cycles"]

    i_valid = getattr(dut, ports["input"]["valid"])
    i_ready = getattr(dut, ports["input"]["ready"])
    i_payload = getattr(dut, ports["input"]["payload"])
    o_valid = getattr(dut, ports["output"]["valid"])
    o_ready = getattr(dut, ports["output"]["ready"])
    o_payload = getattr(dut, ports["output"]["payload"])

    # Extra input streams (additive: jobs without "aux" drive none).
    aux = []
    for key, st in job.get("aux", {}).items():
        pd = ports[key]
        fields = {k[len(f"aux_{key}__"):]: data[k] for k in data.files if k.startswith(f"aux_{key}__")}
        at = [int(v) for v in data[f"auxat_{key}"]]
        a_words = pack(pd["fields"], fields, len(at))
        a_draw = (rng.random(budget) < st["p_valid"]).tolist()
        a_valid = getattr(dut, pd["valid"])
        a_valid.value = 0
        aux.append({"key": key, "words": a_words, "at": at, "draw": a_draw, "k": 0, "valid": a_valid,
                    "ready": getattr(dut, pd["ready"]), "payload": getattr(dut, pd["payload"]),
                    "offered": False})

    outs = []
    out_cycles = []
    k = 0
    first_in = -1
    last_in = -1
    cycle = 0
    idle_left = 0
    while len(outs) < total_out:
        if cycle >= budget:
            raise AssertionError(f"timeout after {cycle} cycles: {k}/{total_in} accepted, "
                                 f"{len(outs)}/{total_out} emitted")
        await RisingEdge(clk)
        v = k < total_in and idle_left == 0 and valid_draw[cycle]
        if idle_left:
            idle_left -= 1
        i_valid.value = int(v)
        if v:
            i_payload.value = words[k]
            if direction is not None:
                dir_port.value = direction[k]
        r = ready_draw[cycle]
        o_ready.value = int(r)
        for a in aux:
            a["offered"] = a["k"] < len(a["words"]) and cycle >= a["at"][a["k"]] and a["draw"][cycle]
            a["valid"].value = int(a["offered"])
            if a["offered"]:
                a["payload"].value = a["words"][a["k"]]
        await ReadOnly()
        for a in aux:
            if a["offered"] and a["ready"].value:
                a["k"] += 1
        if v and i_ready.value:
            if first_in < 0:
                first_in = cycle
            last_in = cycle
            k += 1
            if idle_every and k % (frame * idle_every) == 0:
                idle_left = idle_cycles
        if r and o_valid.value:
            outs.append(o_payload.value.to_unsigned())
            out_cycles.append(cycle)
        cycle += 1
    await RisingEdge(clk)
    i_valid.value = 0
    o_ready.value = 0
    for a in aux:
        a["valid"].value = 0

    got = unpack(ports["output"]["fields"], outs)
    mismatches, first = {}, None
    for name, exp in exp_fields.items():
        e = np.asarray(exp).reshape(-1)
        g = got[name]
        bad = np.nonzero(e != g)[0] if e.dtype != object and g.dtype != object else \
            np.array([i for i in range(len(e)) if int(e[i]) != int(g[i])])
        mismatches[name] = int(len(bad))
        if len(bad) and first is None:
            i = int(bad[0])
            first = {"field": name, "index": i, "frame": i // frame, "sample": i % frame,
                     "expected": int(e[i]), "got": int(g[i])}
    # Output gaps while the input was still flowing (0 = full throughput:
    # one transfer every cycle, every ``cycles_per_sample`` cycles).
    oc = np.asarray(out_cycles)
    steady = oc[oc <= last_in]
    rate = int(desc.get("cycles_per_sample", 1))
    out_gaps = int((last_in - steady[0]) // rate + 1 - len(steady)) if len(steady) else -1
    meta = {
        "mismatches": mismatches, "first_mismatch": first,
        "in_span": last_in - first_in + 1, "out_gaps": out_gaps,
        "first_in_cycle": first_in, "first_out_cycle": out_cycles[0] if out_cycles else -1,
        "last_out_cycle": out_cycles[-1] if out_cycles else -1, "cycles": cycle,
        "accepted": k, "emitted": len(outs),
    }
    if aux:
        meta["aux_accepted"] = {a["key"]: a["k"] for a in aux}
    oshape = next(iter(exp_fields.values())).shape
    arrays = {f"out_{n}": v.reshape(oshape) for n, v in got.items()}
    np.savez(job["result"], meta=json.dumps(meta), **arrays)
    return meta


@cocotb.test()
async def run_jobs(dut):
    """Run every job of the job file; fail on the first mismatching word."""
    with open(os.environ["FFTFORGE_SIM_JOBS"]) as f:
        spec = json.load(f)
    with open(spec["descriptor"]) as f:
        desc = json.load(f)
    clk = getattr(dut, desc["ports"]["clock"])
    cocotb.start_soon(Clock(clk, 10, unit="ns").start())
    failures = []
    for n, job in enumerate(spec["jobs"]):
        meta = await _run_job(dut, desc, job)
        if meta["first_mismatch"] is not None:
            failures.append(f"job {n}: {meta['mismatches']} first {meta['first_mismatch']}")
    assert not failures, "; ".join(failures)
