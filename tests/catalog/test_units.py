"""Each category is one self-describing module of drdata/catalog: these checks keep it so.

One name everywhere (module, category id, detector function, registry key), the data tables a category
declares are the ones it reads, and the category modules import only downward.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import drdata.catalog as units
from drdata.detectors.helpers import DATA_DIR
from drdata.detectors.registry import Category, all_categories, pair_rules, registry
from drdata.taxonomy import categories, category_ids

MODULES = sorted(m.name for m in pkgutil.iter_modules(units.__path__))
UNIT_DIR = Path(units.__file__).parent


def _source(name: str) -> str:
    return (UNIT_DIR / f"{name}.py").read_text()


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_its_one_category_and_detector_under_one_name(name):
    mod = importlib.import_module(f"drdata.catalog.{name}")
    declared = [v for v in vars(mod).values() if isinstance(v, Category)]
    assert [c.id for c in declared] == [name]
    detectors = [d for d in registry().values() if d.func.__module__ == mod.__name__]
    if declared[0].opt_in:
        assert detectors == []  # labelled by an outside tool (drdata.labeling.terraform)
    else:
        assert [(d.id, d.category, d.func.__name__) for d in detectors] == [(name, name, name)]


def test_every_declared_category_has_its_module():
    assert sorted(c.id for c in all_categories()) == MODULES


@pytest.mark.parametrize("name", MODULES)
def test_declared_tables_are_the_tables_it_reads(name):
    read = set(re.findall(r"""load_table\(["'](\w+)["']\)""", _source(name)))
    assert set(importlib.import_module(f"drdata.catalog.{name}").CATEGORY.tables) == read
    for table in read:
        assert (DATA_DIR / f"{table}.json").is_file()


def test_every_data_table_belongs_to_a_category():
    declared = {t for c in all_categories() for t in c.tables}
    assert {p.stem for p in DATA_DIR.glob("*.json")} == declared


def test_reference_theme_is_the_reference_taxonomy_in_report_order():
    ref = categories("reference")
    assert [c.number for c in ref] == list(range(1, 13))
    assert {c.id for c in all_categories() if c.theme == "reference"} == set(category_ids("reference"))


def test_pair_rules_belong_to_their_category_module():
    for cid, rule in pair_rules().items():
        assert rule.__module__ == f"drdata.catalog.{cid}"


# A category module may use the rule framework, the parsed model, the schema and its sibling categories; never
# the labeler, reports, statistics, exports or the CLI, which all build on the categories.
ALLOWED = ("drdata.detectors.registry", "drdata.detectors.helpers", "drdata.detectors.schema_walk",
           "drdata.hcl", "drdata.extract", "drdata.terraform.schema", "drdata.terraform.revisions", "drdata.catalog")


@pytest.mark.parametrize("name", MODULES)
def test_category_modules_import_only_downward(name):
    tree = ast.parse(_source(name))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    for mod in imported:
        if mod.startswith("drdata"):
            assert mod.startswith(ALLOWED), f"{name} imports {mod}"
