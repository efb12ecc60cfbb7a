"""Literal secrets in the code, and outputs exposing secrets without `sensitive`."""

from __future__ import annotations

import re
from functools import lru_cache

from drdata.detectors.helpers import truthy
from drdata.detectors.registry import Category, ReportRule, block_address, declare, detector, hit, hit_at
from drdata.hcl.model import Block, Call, Expr, TerraformConfig

CATEGORY = declare(Category(
    id="hardcoded_secrets",
    number=14,
    theme="services",
    area="secrets",
    title="Hard-coded or Exposed Secrets",
    severity="Critical",
    rule_set="aws",
    what="A password, access key, token or API key is written as a literal in a resource, a variable default or an environment variable, or an output exposes one without `sensitive = true`.",
    root_cause="A literal makes the example self-contained; models fill required secret arguments with placeholders instead of generating or fetching them.",
    impact="The secret lands in version control, plan output and state in clear text; anyone with repository access can use it and rotation requires a code change.",
    fix="Generate secrets with `random_password` and store them in Secrets Manager (or use `manage_master_user_password = true`), pass them as variables without defaults, and mark outputs `sensitive = true`.",
    report_rules=(
        ReportRule(order=90, strong=(
            r"(hard-?coded|plain-?text|clear-?text|exposed|literal|default|static|insecure) (\w+ )?(passwords?|secrets?|credentials?|keys?|tokens?)"
            r"|passwords?|secrets? manager|credentials?|api[_ ]keys?|access[_ ]keys?|sensitive (data|values?|variables?|outputs?)|\bsensitive\b"
        )),
    ),
    title_rule=(
        r"hard[- ]?coded.{0,30}(password|secret|credential|key|token)|(password|secret|credential)s?"
        r".{0,30}(hard[- ]?coded|plain ?text|exposed|literal|in code|default)"
        r"|plaintext (password|secret)|sensitive output|not marked sensitive"
    ),
))


# Names that hold a secret value (attribute, variable, env var, map key), matched on the last word(s).
_SECRET = re.compile(
    r"(^|_)(password|passwd|pwd|secret|secret_key|secret_access_key|access_key|access_key_id|auth_token|"
    r"api_key|apikey|token|private_key|client_secret|credentials?)$",
    re.I,
)
# Qualifiers that make the name *about* a secret rather than the secret itself.
_NOT_SECRET = re.compile(
    r"(_|^)(name|arn|id|ids|length|path|ttl|rotation|days|enabled|version|type|policy|prefix|suffix|kms|"
    r"key_id|key_arn|parameter|param|ref|reference|file|count|min|max|duration|expiry|expiration|header|"
    r"location|manager|store)(_|$)|^(manage|rotate|generate|use|enable|create|require)_",
    re.I,
)
# Literal values that are obviously not secrets (empty, ARNs, placeholders for a reference).
_NOT_VALUE = re.compile(r"^(|arn:aws[\w-]*:.*|\$\{.*\}|true|false|null|none|disabled|enabled|required)$", re.I)


# LocalStack / moto conventional dummy credentials for the provider's access keys.
_DUMMY_KEYS = {"test", "mock", "fake", "dummy", "localstack", "foobar"}


@lru_cache(maxsize=4096)  # the same attribute and key names recur in every answer
def _is_secret_name(name: str) -> bool:
    return bool(_SECRET.search(name)) and not _NOT_SECRET.search(name)


def _literal_secret(value) -> bool:
    return isinstance(value, str) and not isinstance(value, Expr) and not _NOT_VALUE.match(value.strip())


def _map_secrets(value, path: str = ""):
    """(key path, value) of secret-named keys holding literal strings inside maps/lists/jsonencode()."""
    if isinstance(value, Call) and value.name in ("jsonencode", "tomap", "merge"):
        for a in value.args:
            yield from _map_secrets(a, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            if _is_secret_name(str(k)) and _literal_secret(v):
                yield f"{path}{k}", v
            else:
                yield from _map_secrets(v, f"{path}{k}.")
    elif isinstance(value, list):
        for v in value:
            yield from _map_secrets(v, path)


_SECRET_SOURCES = re.compile(
    r"\brandom_password\.[\w-]+\.result|\baws_iam_access_key\.[\w-]+\.(secret|ses_smtp_password_v4)|"
    r"\.(master_password|password|secret_string|auth_token)(?![\w.])|\btls_private_key\.[\w-]+\.private_key"
)


def _resource_findings(block: Block):
    for path, attr in block.attribute_paths():
        leaf = path.rsplit(".", 1)[-1]
        if _is_secret_name(leaf) and _literal_secret(attr.value):
            if re.search(r"(access|secret)_key", leaf) and attr.value.strip().lower() in _DUMMY_KEYS:
                continue
            yield path, attr
        else:
            for key, _v in _map_secrets(attr.value):
                yield f"{path}.{key}", attr


@detector(category="hardcoded_secrets")
def hardcoded_secrets(cfg: TerraformConfig):
    """Flags literal passwords/keys/tokens and outputs that expose secrets without `sensitive = true`.

    Why: literals end up in version control, plan output and state; anyone reading them can use them.
    Fix: random_password + Secrets Manager (or manage_master_user_password = true), variables without
    defaults marked sensitive, and `sensitive = true` on outputs.
    """
    for block in [*cfg.resources, *cfg.providers]:
        for path, attr in _resource_findings(block):
            yield hit(block, f"{block_address(block)}: `{path}` is a literal secret", attr)
        if getattr(block, "resource_type", "") == "aws_ssm_parameter":
            name = block.attributes.get("name")
            value = block.attributes.get("value")
            if name is not None and value is not None and _is_secret_name(
                    re.sub(r"[^\w]+", "_", str(name.value)).strip("_").lower()) and _literal_secret(value.value):
                yield hit(block, f"{block_address(block)}: parameter {name.value!r} holds a literal value", value)
    for var in cfg.variables:
        name = var.labels[0] if var.labels else ""
        default = var.attributes.get("default")
        if default is None:
            continue
        if _is_secret_name(name) and _literal_secret(default.value):
            if re.search(r"(access|secret)_key", name) and default.value.strip().lower() in _DUMMY_KEYS:
                continue
            yield hit(var, f"var.{name}: secret variable has a literal default", default)
        else:
            for key, _v in _map_secrets(default.value):
                yield hit(var, f"var.{name}: default holds literal secret `{key}`", default)
    for name, attr in cfg.locals.items():
        if _is_secret_name(name) and _literal_secret(attr.value):
            yield hit_at(f"local.{name}", "locals", None, attr.line, f"local.{name}: literal secret",
                         f"{name} = {attr.source}")
    secret_vars = {f"var.{v.labels[0]}" for v in cfg.variables if v.labels and _is_secret_name(v.labels[0])
                   and truthy(v.get("sensitive")) is not True}
    for out in cfg.outputs:
        if truthy(out.get("sensitive")) is True:
            continue
        value = out.attributes.get("value")
        if value is None:
            continue
        exposed = _SECRET_SOURCES.search(value.source) or (
            value.refs and any(r.address in secret_vars for r in value.refs))
        if exposed:
            name = out.labels[0] if out.labels else "?"
            yield hit(out, f"output.{name}: exposes a secret ({value.source.strip()[:60]}) without sensitive = true",
                      value)

