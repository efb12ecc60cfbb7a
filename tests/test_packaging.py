"""Set-up files agree with each other: pyproject, environment.yml, README, .ci/run, docs."""

import re
import tomllib

from drdata.taxonomy.docs import categories_markdown
from tests.conftest import REPO


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_installs_the_project_with_the_extras_pyproject_declares():
    env = (REPO / "environment.yml").read_text()
    # `train` (torch, TRL) is for benchmarks/train_smoke.py only and needs a CPU torch installed by hand first.
    extras = set(_pyproject()["project"]["optional-dependencies"]) - {"train"}
    m = re.search(r"-\s+-e\s+\.\[([^\]]+)\]", env)
    assert m, "environment.yml must install the project with pip -e .[extras]"
    assert set(m.group(1).split(",")) == extras
    assert re.search(r"python=3\.11\b", env) and "conda-forge" in env


def test_python_version_agrees():
    assert _pyproject()["project"]["requires-python"] == ">=3.11"


def test_python_hcl2_is_pinned_to_one_major_version():
    deps = _pyproject()["project"]["dependencies"]
    hcl2 = next(d for d in deps if d.startswith("python-hcl2"))
    assert re.search(r">=8[.\d]*,<9", hcl2)
    assert not any(d.split("[")[0].split(">")[0].split("=")[0].strip() == "hcl2" for d in deps)  # checkov's fork


def _readme_commands():
    readme = (REPO / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick, re.S)


def test_readme_has_exactly_two_commands_near_the_top():
    commands = _readme_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    setup_and_run, tests = commands
    assert "venv" in setup_and_run and "drdata label corpora" in setup_and_run
    assert "venv" in tests and "pytest" in tests
    readme = (REPO / "README.md").read_text()
    assert readme.index("## Quick start") < 2500


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (REPO / ".ci" / "run").read_text()
    assert _readme_commands()[1] in ci.splitlines()


def test_ci_fails_without_the_shared_corpus():
    ci = (REPO / ".ci" / "run").read_text()
    assert "exit 1" in ci and "shared corpus not found" in ci


def test_categories_doc_is_generated_from_the_registry():
    doc = (REPO / "docs" / "categories.md").read_text()
    assert doc == categories_markdown(), "regenerate: python -m drdata.taxonomy.docs > docs/categories.md"
