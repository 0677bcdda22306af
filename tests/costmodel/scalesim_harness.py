"""Run SCALE-Sim 3.0.0 (installed in its own venv) on GEMM shapes.

Used to record the reference cycle counts in test_systolic_scalesim.py and by
its optional live test.  Run with the SCALE-Sim venv's Python:

    /tmp/scalesim-venv/bin/python tests/costmodel/scalesim_harness.py R C DF '[[M,N,K],...]'

prints one tuple per shape: (R, C, dataflow, M, N, K, total_cycles_incl_prefetch,
total_cycles, stall_cycles).  SRAMs are 6144 kB and the interface bandwidth
1000 words/cycle so that no stalls occur.
"""
import sys, os, csv, json, subprocess, tempfile
CFG = """[general]
run_name = ff

[architecture_presets]
ArrayHeight:    {R}
ArrayWidth:     {C}
IfmapSramSzkB:    {S}
FilterSramSzkB:   {S}
OfmapSramSzkB:    {S}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : {BW}
Dataflow : {DF}
MemoryBanks:   1
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: USER
UseRamulatorTrace: False
"""
def run(R, C, df, shapes, S=6144, BW=1000, workdir=None):
    d = workdir or tempfile.mkdtemp(prefix=f"ss_{R}x{C}_{df}_")
    os.makedirs(d, exist_ok=True)
    open(f"{d}/cfg.cfg","w").write(CFG.format(R=R,C=C,S=S,BW=BW,DF=df))
    with open(f"{d}/topo.csv","w") as f:
        f.write("Layer, M, N, K,\n")
        for i,(m,n,k) in enumerate(shapes):
            f.write(f"G{i}, {m}, {n}, {k},\n")
    with open(f"{d}/layout.csv","w") as f:
        f.write("Layer, IFMAP Height Intraline Factor, IFMAP Width Intraline Factor, Filter Height Intraline Factor, Filter Width Intraline Factor, Channel Intraline Factor, Num Filter Intraline Factor, IFMAP Height Interline Factor, IFMAP Width Interline Factor, Filter Height Interline Factor, Filter Width Interline Factor, Channel Interline Factor, Num Filter Interline Factor,\n")
        for i,_ in enumerate(shapes):
            f.write(f"G{i}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,\n")
    cmd = [sys.executable, "-m", "scalesim.scale", "-c", f"{d}/cfg.cfg", "-t", f"{d}/topo.csv", "-l", f"{d}/layout.csv", "-i", "gemm", "-p", f"{d}/out", "-s", "N"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode: print("SCALESIM FAILED", R, C, df, shapes, p.stderr.strip().splitlines()[-1]); return [], None
    rep = [os.path.join(r, f) for r, _, fs in os.walk(f"{d}/out") for f in fs if f == "COMPUTE_REPORT.csv"][0]
    rows = list(csv.reader(open(rep)))
    out = []
    for (m,n,k), row in zip(shapes, rows[1:]):
        out.append((R,C,df,m,n,k,int(row[1]),int(row[2]),int(row[3])))
    return out, rows[0]
if __name__ == "__main__":
    o, h = run(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]))
    print(h)
    for r in o: print(r)
