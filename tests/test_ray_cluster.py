"""A real two-node Ray cluster on this machine (`ray start --head` and a second `ray start
--address`, each node with one CPU and a temp dir of its own): `dedup clean --address`
runs its batches on both nodes and writes what a local run writes; interrupted, it
leaves the cluster's CPUs free."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.test_backends import _files
from tests.test_records import golden_rows

pytest.importorskip("ray")
RAY = Path(sys.executable).with_name("ray")
ENV = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}   # a throwaway local cluster

_NODES_OF_BATCHES = """
import json, sys
import ray
from dedup import backends

def node(context, batch):
    return ray.get_runtime_context().get_node_id()

with backends.RayRunner(2, str, ("ctx",), sys.argv[1]) as run:
    ran_on = list(run.map(node, range(8)))
    print(json.dumps({"batches": ran_on, "nodes": [n["NodeID"] for n in ray.nodes() if n["Alive"]]}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray(*args: str) -> None:
    subprocess.run([str(RAY), *args], env=ENV, check=True, capture_output=True, timeout=120)


@pytest.fixture
def two_nodes():
    """The cluster's address and its head's log folder; both nodes stopped afterwards. Temp dirs under /tmp, short:
    Ray's sockets live there and a socket's path has at most 107 bytes."""
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    address = f"127.0.0.1:{_free_port()}"
    try:
        _ray("start", "--head", "--port", address.split(":")[1], "--num-cpus", "1", "--include-dashboard", "false",
             "--temp-dir", str(temp / "head"), "--disable-usage-stats")
        _ray("start", "--address", address, "--num-cpus", "1", "--temp-dir", str(temp / "node"))
        yield address, temp / "head" / "session_latest" / "logs"
    finally:
        subprocess.run([str(RAY), "stop", "--force"], env=ENV, capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


def test_a_run_on_two_nodes_uses_both_and_writes_what_a_local_run_writes(tmp_path, two_nodes):
    address, logs = two_nodes
    corpus = tmp_path / "rows"
    corpus.mkdir()
    rows = golden_rows()
    for n in range(4):   # four files: four batches, for two workers
        (corpus / f"part{n}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[n::4]))
    outputs, drivers = {}, {}
    for name, args in (("local", ["-j", "2"]), ("ray", ["--backend", "ray", "--address", address, "-j", "2"])):
        run = subprocess.Popen([sys.executable, "-m", "dedup", "clean", "rows", "-o", name, "-q", "--id-field", "id",
                                *args], cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True)
        assert run.wait(300) == 0, run.stderr.read()
        outputs[name] = _files(tmp_path / name)
        drivers[name] = list(logs.glob(f"python-core-driver-*_{run.pid}.log"))   # it connected to the cluster
    assert drivers["ray"] and not drivers["local"]
    assert outputs["ray"] == outputs["local"]   # cleaned files, report.json and the saved index
    assert {f"part{n}.jsonl" for n in range(4)} <= set(outputs["local"])

    placed = subprocess.run([sys.executable, "-c", _NODES_OF_BATCHES, address], env=ENV, capture_output=True,
                            text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert placed.returncode == 0, placed.stderr
    seen = json.loads(placed.stdout.splitlines()[-1])
    assert len(seen["nodes"]) == 2 and set(seen["batches"]) == set(seen["nodes"])   # each node ran batches


_FREE_CPUS = """
import sys, time
import ray
ray.init(address=sys.argv[1], log_to_driver=False, configure_logging=False)
deadline = time.monotonic() + 60
while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:   # a dead actor's CPU comes back
    time.sleep(0.2)
print(ray.available_resources().get("CPU", 0))
"""


@pytest.mark.parametrize("moment", [".spill/*.table", ".decisions"])   # sketching; the corpus-wide task
def test_ctrl_c_of_a_run_on_a_cluster_it_did_not_start_releases_the_clusters_workers(tmp_path, two_nodes, moment):
    import signal
    import time
    from tests.test_backends import _worker_pids
    address, _ = two_nodes
    with open(tmp_path / "big.jsonl", "w") as out:
        for n in range(40000):
            out.write(json.dumps({"text": " ".join(f"w{(n * 7 + i * 13) % 5000}" for i in range(60))}) + "\n")
    run = subprocess.Popen([sys.executable, "-m", "dedup", "clean", "big.jsonl", "-o", "out", "-q", "--backend", "ray",
                            "--address", address, "-j", "2"], cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(f".out.dedup-staging-*/{moment}")):
        assert time.monotonic() < deadline and run.poll() is None, f"the run never made {moment}"
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and err.splitlines()[-1] == "dedup: interrupted", err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.dedup-staging-*"))
    free = subprocess.run([sys.executable, "-c", _FREE_CPUS, address], env=ENV, capture_output=True, text=True,
                          timeout=120)
    assert float(free.stdout.split()[-1]) == 2.0, free.stderr   # both nodes' CPUs free: its workers are gone
    assert not _worker_pids(b"ray::_OnCluster")   # nor is its corpus-wide step running on (it holds no CPU)
