"""The reference task (shared corpus Pr4579) and the demo pair (corpora/ Demo001): the labeler finds for
every reference category a MODEL failure that the IDEAL repaired, with evidence at the real line."""

from __future__ import annotations

from pathlib import Path

import pytest

from drdata.detectors import registry, run_detector
from drdata.hcl import parse_answer
from drdata.labeling import label_pair
from drdata.taxonomy import category_ids
from tests.conftest import DEMO_CORPUS

REFERENCE = category_ids("reference")


def _pair(lib: Path) -> dict:
    out = {}
    for side in ("MODEL", "IDEAL"):
        text = (lib / f"{side}_RESPONSE.md").read_text(encoding="utf-8")
        out[side] = (text, parse_answer(text, cache=False))
    return out


@pytest.fixture(scope="module")
def pr4579(shared_corpus: Path) -> dict:
    return _pair(shared_corpus / "archive" / "tf-hcl" / "Pr4579" / "lib")


@pytest.fixture(scope="module")
def demo001() -> dict:
    return _pair(DEMO_CORPUS / "archive" / "tf-hcl" / "Demo001" / "lib")


def _fixed(pair: dict, category: str) -> list:
    """The MODEL findings of the category that the labeler records as repaired by the IDEAL."""
    if "labels" not in pair:  # labeled once per module-scoped pair
        pair["labels"] = label_pair(pair["MODEL"][0], pair["IDEAL"][0], taxonomy="reference", cache=False)
    label = pair["labels"].categories[category]
    assert label.status == "fixed", (category, label.status, label.reason)
    return label.fixed_findings


def _assert_evidence(text: str, findings: list) -> None:
    lines = text.split("\n")
    for f in findings:
        first = f.evidence.split("\n")[0].strip()
        assert first and first in lines[f.line - 1], (f.address, f.line, first)


# The reference IDEAL answers the missing package with `filename = "${path.module}/lambda_placeholder.zip"` and a
# `source_code_hash`; its report says the zip was made outside the answer. Nothing in the IDEAL's code builds it,
# and blind reviewers judge that shape "not built" on every unseen task that has it, so the label is persisting.
NOT_REPAIRED_IN_CODE = {"lambda_package_missing"}


@pytest.mark.parametrize("category", [c for c in REFERENCE if c not in NOT_REPAIRED_IN_CODE])
def test_pr4579_model_failure_fixed_in_ideal(pr4579, category):
    fixed = _fixed(pr4579, category)
    assert fixed, f"{category}: no MODEL finding the IDEAL lacks"
    _assert_evidence(pr4579["MODEL"][0], fixed)


@pytest.mark.parametrize("category", REFERENCE)
def test_demo001_model_failure_fixed_in_ideal(demo001, category):
    fixed = _fixed(demo001, category)
    assert fixed, f"{category}: no MODEL finding the IDEAL lacks"
    _assert_evidence(demo001["MODEL"][0], fixed)


# What the reference report names, checked by address on Pr4579's MODEL.
EXPECTED_PR4579 = [
    ("external_module_dependency", {"module.vpc_primary", "module.vpc_dr"}),
    ("undefined_reference", {"aws_security_group.app_primary", "aws_kms_key.dynamodb_primary",
                             "aws_s3_bucket.alb_logs_primary", "aws_sqs_queue.lambda_dlq",
                             "aws_lambda_function.dr_test_validator", "aws_iam_role.rds_monitoring_primary"}),
    ("wildcard_iam_permissions", {"aws_iam_role.lambda_failover"}),
    ("deletion_protection_enabled", {"aws_rds_cluster.primary", "aws_lb.primary"}),
    ("missing_environment_suffix", {"aws_s3_bucket.transaction_logs_primary", "aws_rds_cluster.primary"}),
    ("lambda_package_missing", {"aws_lambda_function.failover_orchestrator"}),
    ("s3_bucket_security_missing", {"aws_s3_bucket.transaction_logs_primary"}),
    # 15.2 is a minor AWS no longer offers; the global cluster is where it is written.
    ("outdated_engine_version", {"aws_rds_global_cluster.financial_db"}),
    ("missing_depends_on", {"aws_s3_bucket_replication_configuration.transaction_logs_replication"}),
    # The class comes from a variable while the flag is hard-wired; the IDEAL makes the flag configurable.
    ("performance_insights_unsupported", {"aws_rds_cluster_instance.primary", "aws_rds_cluster_instance.dr"}),
    ("incomplete_tagging", {"local.common_tags"}),
    ("kms_key_alias_missing", {"aws_kms_key.aurora_primary", "aws_kms_key.aurora_dr"}),
]


@pytest.mark.parametrize("category,addresses", EXPECTED_PR4579, ids=[c for c, _ in EXPECTED_PR4579])
def test_pr4579_named_failures(pr4579, category, addresses):
    if category in NOT_REPAIRED_IN_CODE:
        if "labels" not in pr4579:
            pr4579["labels"] = label_pair(pr4579["MODEL"][0], pr4579["IDEAL"][0], taxonomy="reference", cache=False)
        label = pr4579["labels"].categories[category]
        assert addresses <= {f.address for f in label.model_findings}
        return
    assert addresses <= {f.address for f in _fixed(pr4579, category)}


def test_pr4579_lambda_package_found_in_the_model_and_still_unbuilt_in_the_ideal(pr4579):
    """The report's failure 6 is recovered in the MODEL; the IDEAL's placeholder zip is read by a hash, built by
    nothing the answer shows: persisting, with the IDEAL's two functions as its findings."""
    _fixed(pr4579, "external_module_dependency")  # labels the pair once
    label = pr4579["labels"].categories["lambda_package_missing"]
    assert label.status == "persisting"
    (m,) = label.model_findings
    assert m.address == "aws_lambda_function.failover_orchestrator" and "lambda_functions/failover_orchestrator.zip" in m.message
    assert {f.address for f in label.ideal_findings} == {"aws_lambda_function.failover_orchestrator",
                                                         "aws_lambda_function.dr_test_validator"}
    assert all("lambda_placeholder.zip" in f.message and "source_code_hash" in f.message for f in label.ideal_findings)
    _assert_evidence(pr4579["MODEL"][0], [m])


def test_pr4579_model_engine_version_is_the_named_one(pr4579):
    (f,) = run_detector(registry()["outdated_engine_version"], pr4579["MODEL"][1]).findings
    assert (f.address, f.line) == ("aws_rds_global_cluster.financial_db", 191) and '"15.2"' in f.message


def test_demo001_label_pair_reference_all_fixed(demo001):
    pair = demo001
    labels = label_pair(pair["MODEL"][0], pair["IDEAL"][0], taxonomy="reference", cache=False)
    assert {c: labels.status(c) for c in REFERENCE} == {c: "fixed" for c in REFERENCE}
