"""Data stores created without encryption at rest (S3 is s3_bucket_security_missing's)."""

from __future__ import annotations

from drdata.detectors.helpers import UNRESOLVED, attr_value, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Block, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="encryption_at_rest_missing",
    number=15,
    theme="services",
    area="encryption",
    title="Encryption at Rest Missing",
    severity="Critical",
    rule_set="aws",
    what="A data store that is not encrypted by default (RDS, EBS, EFS, ElastiCache, SNS, Kinesis, Redshift, OpenSearch, ...) is created without encryption at rest, or has it switched off.",
    root_cause="Encryption is an opt-in argument on many AWS resources; models omit arguments that are not needed for the resource to be created.",
    impact="Data, snapshots and replicas are stored unencrypted; compliance regimes (PCI-DSS, HIPAA) fail and encryption cannot be added later without recreating the resource.",
    fix="Set `storage_encrypted = true`, `encrypted = true`, `at_rest_encryption_enabled = true`, `kms_master_key_id` or the resource's equivalent, preferably with a customer managed KMS key.",
    report_rules=(
        ReportRule(order=450, topic=True, strong=r"encrypt\w*|\bkms\b|\bcmk\b|at[- ]rest|\bsse\b|customer[- ]managed keys?"),
    ),
    title_rule=(
        r"encrypt\w* at rest|at[- ]rest|(storage|ebs|rds|volume|sns|efs|elasticache"
        r"|kinesis).{0,30}encrypt|encrypt\w*.{0,30}(storage|ebs|rds|volume|sns|efs)"
        r"|unencrypted|storage_encrypted"
    ),
))


# (resource type, attribute that must be true) for stores that are unencrypted unless asked.
_FLAG_TRUE = {
    "aws_db_instance": "storage_encrypted",
    "aws_rds_cluster": "storage_encrypted",
    "aws_docdb_cluster": "storage_encrypted",
    "aws_neptune_cluster": "storage_encrypted",
    "aws_redshift_cluster": "encrypted",
    "aws_efs_file_system": "encrypted",
    "aws_ebs_volume": "encrypted",
    "aws_elasticache_replication_group": "at_rest_encryption_enabled",
    "aws_rds_global_cluster": "storage_encrypted",
}


def _check_true(cfg: TerraformConfig, res: Resource, block: Block, name: str, what: str):
    """Yield a hit when ``block.name`` is absent/false, cannot_tell when unresolved."""
    v = attr_value(cfg, block, name)
    t = truthy(v)
    if v is UNRESOLVED:
        yield cannot_tell(res, f"{what}{name} comes from an unresolved expression")
    elif t is not True:
        state = "absent" if name not in block.attributes else f"= {block.attributes[name].source.strip()}"
        yield hit(res, f"{res.address}: {what}{name} {state}", block.attributes.get(name))


@detector(category="encryption_at_rest_missing")
def encryption_at_rest_missing(cfg: TerraformConfig):
    """Flags RDS/Aurora, EBS, EFS, ElastiCache, Redshift, DocumentDB, Neptune, OpenSearch, Kinesis and SNS
    resources without encryption at rest, and SQS queues with SSE switched off.

    Why: these services store data unencrypted unless asked, and encryption cannot be added in place later.
    DynamoDB tables, SQS queues (SSE-SQS by default since 2022) and CloudWatch log groups are always encrypted
    by AWS, so their defaults are not flagged.
    Fix: storage_encrypted / encrypted / at_rest_encryption_enabled = true, kms_master_key_id on SNS,
    encryption_type = "KMS" on Kinesis, encrypt_at_rest { enabled = true } on OpenSearch.
    """
    ebs_default = any(truthy(attr_value(cfg, r, "enabled", True)) is True
                      for r in cfg.resources_of("aws_ebs_encryption_by_default"))
    for rtype, name in _FLAG_TRUE.items():
        for res in cfg.resources_of(rtype):
            if rtype == "aws_db_instance" and ("replicate_source_db" in res.attributes
                                               or "snapshot_identifier" in res.attributes):
                continue  # replicas and restores inherit the source's encryption
            if rtype == "aws_db_instance" and str(res.get("engine", "")).startswith("aurora"):
                continue  # Aurora instances take encryption from the cluster
            if rtype == "aws_rds_cluster" and (attr_value(cfg, res, "engine_mode") == "serverless"
                                               or "replication_source_identifier" in res.attributes
                                               or "snapshot_identifier" in res.attributes):
                continue  # serverless v1 is always encrypted; replicas and restores inherit
            if rtype == "aws_rds_global_cluster" and "source_db_cluster_identifier" in res.attributes:
                continue  # takes the source cluster's encryption
            if rtype == "aws_ebs_volume" and (ebs_default or "snapshot_id" in res.attributes):
                continue
            yield from _check_true(cfg, res, res, name, "")
    if not ebs_default:
        for res in cfg.resources_of("aws_instance"):
            if not res.children("root_block_device"):
                yield hit(res, f"{res.address}: no root_block_device with encrypted = true (root volume follows "
                               "the AMI, usually unencrypted)")
            for dev in ("root_block_device", "ebs_block_device"):
                for b in res.children(dev):
                    yield from _check_true(cfg, res, b, "encrypted", f"{dev}.")
        for res in cfg.resources_of("aws_launch_template"):
            for bdm in res.children("block_device_mappings"):
                for ebs in bdm.children("ebs"):
                    if "snapshot_id" in ebs.attributes:
                        continue
                    yield from _check_true(cfg, res, ebs, "encrypted", "block_device_mappings.ebs.")
    for res in cfg.resources_of("aws_opensearch_domain", "aws_elasticsearch_domain"):
        blocks = res.children("encrypt_at_rest")
        if not blocks:
            yield hit(res, f"{res.address}: no encrypt_at_rest block")
        for b in blocks:
            yield from _check_true(cfg, res, b, "enabled", "encrypt_at_rest.")
    for res in cfg.resources_of("aws_kinesis_stream"):
        v = attr_value(cfg, res, "encryption_type")
        if v is UNRESOLVED:
            yield cannot_tell(res, "encryption_type comes from an unresolved expression")
        elif str(v).upper() != "KMS":
            yield hit(res, f"{res.address}: encryption_type is {v or 'absent'} (not KMS)", "encryption_type")
    for res in cfg.resources_of("aws_sns_topic"):
        if "kms_master_key_id" not in res.attributes:
            yield hit(res, f"{res.address}: no kms_master_key_id (SNS topics are not encrypted by default)")
    for res in cfg.resources_of("aws_sqs_queue"):
        if "kms_master_key_id" not in res.attributes and truthy(
                attr_value(cfg, res, "sqs_managed_sse_enabled")) is False:
            yield hit(res, f"{res.address}: sqs_managed_sse_enabled = false and no kms_master_key_id",
                      "sqs_managed_sse_enabled")
    for res in cfg.resources_of("aws_dynamodb_table"):
        for b in res.children("server_side_encryption"):
            if truthy(attr_value(cfg, b, "enabled")) is False:
                # explicit false means the AWS-owned key; only flag a CMK asked for and not used
                if "kms_key_arn" in b.attributes:
                    yield hit(res, f"{res.address}: kms_key_arn given but server_side_encryption.enabled = false",
                              b.attributes.get("enabled"))

