"""Matching findings across MODEL and IDEAL: address first, then kind for renamed resources."""

import pytest

from drdata.detectors.registry import Finding
from drdata.labeling.pair import match_fixed


def F(address, kind="aws_s3_bucket", message="no encryption"):
    return Finding("s3_bucket_security_missing", "s3_bucket_security_missing", "High", address, kind, "main.tf", 1,
                   f"{address}: {message}", "")


@pytest.mark.parametrize(
    "model, ideal, model_declared, ideal_declared, fixed",
    [
        # same bucket still failing: persisting
        (["aws_s3_bucket.a"], ["aws_s3_bucket.a"], {"aws_s3_bucket.a"}, {"aws_s3_bucket.a"}, []),
        # the bucket was fixed, another still fails: a is fixed
        (["aws_s3_bucket.a", "aws_s3_bucket.b"], ["aws_s3_bucket.b"], {"aws_s3_bucket.a", "aws_s3_bucket.b"},
         {"aws_s3_bucket.a", "aws_s3_bucket.b"}, ["aws_s3_bucket.a"]),
        # renamed and still failing: a -> a2 pairs by kind, nothing fixed
        (["aws_s3_bucket.a"], ["aws_s3_bucket.a2"], {"aws_s3_bucket.a"}, {"aws_s3_bucket.a2"}, []),
        # kept, fixed, and the IDEAL added an unrelated failing bucket: still fixed (no false rename)
        (["aws_s3_bucket.a"], ["aws_s3_bucket.new"], {"aws_s3_bucket.a"}, {"aws_s3_bucket.a", "aws_s3_bucket.new"},
         ["aws_s3_bucket.a"]),
        # renamed, but to another kind of resource: no pairing
        (["aws_s3_bucket.a"], [("aws_db_instance.a2", "aws_db_instance")], {"aws_s3_bucket.a"},
         {"aws_db_instance.a2"}, ["aws_s3_bucket.a"]),
    ],
)
def test_match_fixed(model, ideal, model_declared, ideal_declared, fixed):
    m = [F(a) for a in model]
    i = [F(*a) if isinstance(a, tuple) else F(a) for a in ideal]
    assert [f.address for f in match_fixed(m, i, model_declared, ideal_declared)] == fixed


def test_all_findings_on_one_address_share_its_fate():
    m = [F("aws_s3_bucket.a", message="no encryption"), F("aws_s3_bucket.a", message="no versioning")]
    assert len(match_fixed(m, [], {"aws_s3_bucket.a"}, {"aws_s3_bucket.a"})) == 2


def test_a_partial_fix_on_one_resource_counts_as_fixed_and_a_changed_value_does_not():
    db = "aws_db_instance.main"
    model = [F(db, "aws_db_instance", "deletion_protection = true"),
             F(db, "aws_db_instance", "skip_final_snapshot = false")]
    ideal = [F(db, "aws_db_instance", "skip_final_snapshot = false")]
    assert [f.message for f in match_fixed(model, ideal, {db}, {db})] == [f"{db}: deletion_protection = true"]
    # Only the value changed, the failure is the same: persisting.
    model = [F(db, "aws_db_instance", 'engine_version "15.2" is older than 15.12')]
    ideal = [F(db, "aws_db_instance", 'engine_version "15.4" is older than 15.12')]
    assert match_fixed(model, ideal, {db}, {db}) == []
