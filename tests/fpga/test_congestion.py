"""fpga/congestion.py: router2 heatmaps summed by part, on small synthetic
files (the format nextpnr 0.11's router2 writes), and its script's errors."""

import json

import pytest

from fftforge.fpga import congestion


@pytest.mark.parametrize("net, depth, part", [
    ("datapath.p14_reorder.o$59_LUT4_D_1_Z[3]", 2, "datapath.p14_reorder"),
    ("datapath.p14_reorder.o$59_LUT4_D_1_Z[3]", 1, "datapath"),
    ("datapath.p11_ce", 2, "datapath"),
    ("fifo.storage.x[2]", 2, "fifo.storage"),
    ("space_q", 2, "(top)"),
    ("$abc$62134$auto$blifparse.cc:396:parse_blif$6", 2, "(top)"),
])
def test_part_of_cuts_the_hierarchy(net, depth, part):
    assert congestion.part_of(net, depth) == part


def _write(prefix, k, nets, grid):
    with open(f"{prefix}_congestion_by_net_{k}.csv", "w") as f:
        f.writelines(f"{n},{v}\n" for n, v in nets)
    with open(f"{prefix}_congestion_by_coordinate_{k}.csv", "w") as f:
        f.writelines(",".join(str(v) for v in row) + ",\n" for row in grid)


def test_summary_sums_by_part_and_finds_the_hot_tiles(tmp_path, capsys):
    prefix = str(tmp_path / "hm_")
    _write(prefix, 1, [("a.x", 1)], [[1]])
    nets = [("datapath.p1_reorder.o$1[0]", 30), ("datapath.p1_reorder.o$2[1]", 20),
            ("datapath.p2_bf.s", 10), ("space_q", 0)]
    grid = [[0, 0, 0], [0, 40, 5], [0, 10, 0], [1, 0, 0]]      # rows are x
    _write(prefix, 2, nets, grid)
    s = congestion.summarize(prefix)
    assert s["iteration"] == 2 and s["iterations"] == [1, 2]
    assert s["net_overuse"] == 60
    assert [(p["part"], p["overuse"], p["nets"]) for p in s["parts"]] == [
        ("datapath.p1_reorder", 50, 2), ("datapath.p2_bf", 10, 1), ("(top)", 0, 1)]
    r = s["region"]
    assert r["total"] == 56 and r["tiles"] == 4
    # 80 % of 56 = 44.8: the 40 at (1,1), then the 10 at (2,1)
    assert r["hot_tiles"] == 2 and r["hot_overuse"] == 50
    assert r["box"] == {"x": [1, 2], "y": [1, 1]}
    assert r["hottest"][0] == {"x": 1, "y": 1, "overuse": 40}
    out = tmp_path / "s.json"
    assert congestion.main([prefix, "--iteration", "1", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["iteration"] == 1
    assert "a " in capsys.readouterr().out


def test_script_errors_are_one_line(tmp_path, capsys):
    prefix = str(tmp_path / "none_")
    assert congestion.main([prefix]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no router2 heatmap") and "\n" not in err
    _write(prefix, 3, [("a.x", 1)], [[1]])
    assert congestion.main([prefix, "--iteration", "7"]) == 2
    assert "--iteration must be one of 3..3" in capsys.readouterr().err
    for flag in ("--depth", "--top"):
        assert congestion.main([prefix, flag, "0"]) == 2
        assert capsys.readouterr().err.strip() == f"error: {flag} must be at least 1, got 0"
