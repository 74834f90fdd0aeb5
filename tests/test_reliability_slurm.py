"""Issue 13 item 17: the SLURM tests use a cluster that already answers, start their own only
where none does, and are skipped with the reason where neither is possible."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support import slurm
from tests.support.slurm import SlurmCluster, existing_cluster, foreign_conf, resolve_cluster


def _runner(sinfo: str, rc: int = 0, hostnames: str = ""):
    def run(cmd, timeout=20):
        if cmd[0] == "sinfo":
            return subprocess.CompletedProcess(cmd, rc, sinfo, "")
        return subprocess.CompletedProcess(cmd, 0, hostnames, "")
    return run


@pytest.fixture
def sinfo_on_path(monkeypatch):
    monkeypatch.setattr(slurm.shutil, "which", lambda name, path=None: f"/usr/bin/{name}")


def test_an_answering_cluster_is_used_with_its_default_partition(sinfo_on_path):
    run = _runner("gpu|idle|g[01-02]\nbatch*|mixed|c[001-004]\nbatch*|down*|c005\n", hostnames="c001\nc002\n")
    found = existing_cluster(run)
    assert found.partition == "batch" and found.node == "c001"


@pytest.mark.parametrize("output,rc", [("", 1), ("batch*|down*|c1\nbatch*|drained|c2\n", 0), ("garbage\n", 0)])
def test_no_usable_node_means_no_existing_cluster(sinfo_on_path, output, rc):
    assert existing_cluster(_runner(output, rc)) is None


def test_an_existing_cluster_wins_over_starting_one():
    theirs = SlurmCluster("node7", "long", "/py")
    started = []
    got = resolve_cluster(existing=lambda: theirs, missing=lambda: ["munge"], is_root=lambda: True,
                          foreign=lambda: True, start=lambda: started.append(1))
    assert got is theirs and started == []


@pytest.mark.parametrize("missing,foreign,root,reason", [
    (["slurm-wlm (slurmd)"], False, True, "needs Debian package(s) slurm-wlm"),
    ([], True, True, "was not written by simtrial"),
    ([], False, False, "needs root to start"),
])
def test_without_an_answering_cluster_the_tests_skip_with_the_reason(missing, foreign, root, reason):
    with pytest.raises(pytest.skip.Exception, match=re.escape(reason)):
        resolve_cluster(existing=lambda: None, missing=lambda: missing, is_root=lambda: root,
                        foreign=lambda: foreign, start=lambda: pytest.fail("must not start"))


def test_the_local_cluster_is_started_only_where_nothing_answers():
    started = []

    def start():
        started.append(1)
        return subprocess.CompletedProcess([], 0, "", "")

    got = resolve_cluster(existing=lambda: None, missing=lambda: [], is_root=lambda: True, foreign=lambda: False,
                          start=start)
    assert started == [1] and got.partition == "debug"


def test_a_foreign_slurm_conf_is_recognised(tmp_path):
    ours = tmp_path / "ours.conf"
    ours.write_text(f"{slurm.MARK}\nClusterName=simtrial-local\n")
    theirs = tmp_path / "theirs.conf"
    theirs.write_text("ClusterName=hpc\n")
    assert not foreign_conf(ours) and foreign_conf(theirs) and not foreign_conf(tmp_path / "none.conf")


def test_the_script_uses_a_foreign_cluster_that_answers_instead_of_refusing():
    text = (Path(slurm.SCRIPT)).read_text()
    start = text[text.index("cmd_start() {"):text.index("stop_pid() {")]
    assert start.index("foreign_cluster_up") < start.index("write_conf")
    assert subprocess.run(["bash", "-n", str(slurm.SCRIPT)]).returncode == 0
