"""Terraform itself, where it helps: the AWS provider schema drdata ships, and real validation.

- :mod:`drdata.terraform.schema`: a compact extract of ``terraform providers schema -json`` for the
  ``hashicorp/aws`` provider, shipped as package data (``data/aws_provider_schema.json.gz``), read by the schema
  detectors; :func:`update_schema` regenerates it from a provider plugin found in a local filesystem mirror
  (``drdata schema update``).
- :mod:`drdata.terraform.validate`: writes an answer's files to a temporary module, runs ``terraform init``
  (offline, from the mirror) and ``terraform validate -json``, and caches the verdict by content hash
  (``drdata label --terraform-validate``, ``benchmarks/terraform_oracle.py``).

Nothing is downloaded: both need ``terraform`` on PATH and the provider plugin in a filesystem mirror.
"""
