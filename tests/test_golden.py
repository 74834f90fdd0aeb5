"""Golden files: small fixed studies whose summary.json figures are stored in tests/golden/.

A change in any figure fails here, so that a change in numbers is always deliberate and
reviewed. After an intended change, regenerate with

    SIMTRIAL_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

and commit the new files with the reason in the commit message.
"""

import json
import os

import pytest

from simtrial.replay import compare
from tests.support.cli import REPO, run_dirs, run_simtrial

GOLDEN = REPO / "tests" / "golden"

STUDIES = {
    "quickstart": ["experiment=quickstart", "quickstart.steps=[figures]"],
    "patient_models": ["experiment=patient_models", "patient_models.n_patients=300", "seed=1"],
    "single_arm_parametric": ["experiment=single_arm", "scenario=parametric", "scenario.p_response=[0.35]",
                              "simulation.replicates=400", "seed=2"],
    "sequencing_fixed": ["experiment=sequencing", "scenario=fixed", "design.n_per_arm=10", "simulation.replicates=40", "seed=3"],
}

#: Fields that describe the run rather than its results.
CONTEXT = ("status", "experiment", "study", "seed")


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_golden_figures(tmp_path, name):
    proc = run_simtrial(STUDIES[name], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run_dir,) = run_dirs(tmp_path)
    summary = json.loads((run_dir / "summary.json").read_text())
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SIMTRIAL_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    assert path.exists(), f"no golden file {path}; create it with SIMTRIAL_UPDATE_GOLDEN=1"
    golden = json.loads(path.read_text())
    assert [summary[k] for k in CONTEXT] == [golden[k] for k in CONTEXT]
    differences = compare(golden, summary, rel_tol=1e-9)
    assert differences == [], "figures changed:\n" + "\n".join(differences)
