import os
import sys

# Test helpers shared across folders (e.g. tests/hdl/streamsim.py).
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "hdl"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "sim"))
