"""cocotb bench of an AXI4-Stream wrapper (``fftforge generate --wrapper
axis``), driven by cocotbext-axi: run by ``test_axis_cocotb.py`` through
``cocotb_tools.runner``; the job is the JSON file named by
``FFTFORGE_AXIS_JOB``.

The data goes in as :class:`AxiStreamFrame` s of whole words (one per
transfer, ``byte_lanes=1``) through an ``AxiStreamSource`` on
``s_axis_data``, weight writes (if any) through a second source on
``s_axis_weights``, and comes out through an ``AxiStreamSink`` on
``m_axis_data``; random pause generators on all of them (backpressure on
both sides), and idle gaps longer than the core's ``drain_after`` after
some frames.  The received frames (split by ``tlast``), their ``tdata`` and
``tuser`` words and the ``event_tlast_*`` pulses are written to the result
file; the test compares them with the bit-true model.
"""

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource


def _pauses(rng, p, burst):
    """Random pause pattern: pause runs of 1..burst cycles, probability ~p."""
    while True:
        if rng.random() < p:
            for _ in range(rng.randint(1, burst)):
                yield True
        else:
            yield False


async def _count_events(dut, names, counts):
    while True:
        await RisingEdge(dut.aclk)
        for n in names:
            counts[n] += int(getattr(dut, n).value)


async def _send_weights(src, words, gaps):
    for w, g in zip(words, gaps):
        if g:
            await ClockCycles(src.clock, g)
        await src.send(AxiStreamFrame([w]))


@cocotb.test()
async def axis_bench(dut):
    with open(os.environ["FFTFORGE_AXIS_JOB"]) as f:
        job = json.load(f)
    wrap = job["wrapper"]["ports"]
    rng = random.Random(job["seed"])
    cocotb.start_soon(Clock(dut.aclk, 10, unit="ns").start())
    dut.aresetn.value = 0
    src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_data"), dut.aclk, dut.aresetn,
                          reset_active_level=False, byte_lanes=1)
    sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_data"), dut.aclk, dut.aresetn,
                         reset_active_level=False, byte_lanes=1)
    src.set_pause_generator(_pauses(rng, job["p_pause_in"], 4))
    sink.set_pause_generator(_pauses(rng, job["p_pause_out"], 6))
    wsrc = None
    if "weights" in wrap:
        wsrc = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_weights"), dut.aclk, dut.aresetn,
                               reset_active_level=False, byte_lanes=1)
        wsrc.set_pause_generator(_pauses(rng, 0.5, 3))
    ev = wrap["events"]
    counts = {ev["tlast_unexpected"]: 0, ev["tlast_missing"]: 0}
    await ClockCycles(dut.aclk, 5)
    dut.aresetn.value = 1
    await RisingEdge(dut.aclk)
    cocotb.start_soon(_count_events(dut, list(counts), counts))
    if wsrc is not None:
        cocotb.start_soon(_send_weights(wsrc, job["weights"], job["weight_gaps"]))

    async def feed():
        # job["sends"]: AXI frames as sent (tlast on each one's last word),
        # each a list of [tdata, tuser] words; "gap_after": idle cycles after it
        for s in job["sends"]:
            tdata = [w[0] for w in s["words"]]
            tuser = [w[1] for w in s["words"]] if "tuser" in wrap["input"] else None
            await src.send(AxiStreamFrame(tdata, tuser=tuser))
            if s["gap_after"]:
                await src.wait()
                await ClockCycles(dut.aclk, s["gap_after"])

    cocotb.start_soon(feed())
    frames = []
    for _ in range(job["frames_out"]):
        fr = await with_timeout(sink.recv(compact=False), job["timeout_ns"], "ns")
        frames.append({"tdata": [int(x) for x in fr.tdata], "tuser": [int(x) for x in fr.tuser]})
    await src.wait()
    if wsrc is not None:
        await wsrc.wait()
    await ClockCycles(dut.aclk, 3 * job["drain_after"] + 10)
    extra = 0
    while not sink.empty():
        sink.recv_nowait()
        extra += 1
    with open(job["result"], "w") as f:
        json.dump({"frames": frames, "extra_frames": extra, "events": counts,
                   "weights_accepted": len(job.get("weights", []))}, f)
