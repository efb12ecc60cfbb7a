"""Clear-text paths: HTTP listeners, weak/no TLS policy, CloudFront allow-all, transit encryption off."""

from __future__ import annotations

from drdata.detectors.helpers import UNRESOLVED, attr_value, source_text, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="encryption_in_transit_missing",
    number=16,
    theme="services",
    area="encryption",
    title="Encryption in Transit Missing",
    severity="Critical",
    rule_set="aws",
    what="Traffic can travel in clear text: HTTP listeners that serve instead of redirecting, HTTPS listeners without a TLS policy, CloudFront allowing HTTP, cache or broker transit encryption off, bucket policies that do not deny non-TLS access.",
    root_cause="Plain HTTP needs no certificate, so models wire it up first and forget the redirect, the TLS policy or the `aws:SecureTransport` condition.",
    impact="Credentials and data can be read or altered on the wire; old TLS versions stay enabled; auditors flag the endpoints.",
    fix="Redirect HTTP to HTTPS, set a current `ssl_policy`, use `redirect-to-https`/`https-only` viewers, enable `transit_encryption_enabled`, and deny `aws:SecureTransport = false` in bucket policies.",
    report_rules=(
        ReportRule(order=440, topic=True, strong=r"in[- ]transit|\btls\b|\bssl\b|https|certificates?|\bacm\b|secure[_ ]?transport|\bhttp\b"),
    ),
    title_rule=(
        r"in[- ]transit|https|\btls\b|\bssl\b|securetransport|secure transport"
        r"|http listener|redirect"
    ),
))


# TLS policies that still accept TLS 1.0/1.1 (ELB and CloudFront names).
_WEAK_ELB = ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-0-2015-04", "ELBSecurityPolicy-TLS-1-1-2017-01",
             "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-FS-2018-06", "ELBSecurityPolicy-FS-1-1-2019-08",
             "ELBSecurityPolicy-TLS13-1-0-2021-06", "ELBSecurityPolicy-TLS13-1-1-2021-06")
_WEAK_CF = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016")


@detector(category="encryption_in_transit_missing")
def encryption_in_transit_missing(cfg: TerraformConfig):
    """Flags HTTP listeners that serve instead of redirecting, HTTPS listeners without or with a weak
    ssl_policy, CloudFront viewers allowed on HTTP or old TLS, ElastiCache/MSK transit encryption off, and
    bucket policies that do not deny non-TLS requests.

    Why: clear-text traffic can be read and altered on the wire; TLS 1.0/1.1 are deprecated.
    Fix: redirect 80 to 443, ssl_policy = ELBSecurityPolicy-TLS13-1-2-2021-06, viewer_protocol_policy =
    redirect-to-https, transit_encryption_enabled = true, deny aws:SecureTransport = false.
    """
    for lst in cfg.resources_of("aws_lb_listener", "aws_alb_listener"):
        proto = attr_value(cfg, lst, "protocol")
        if proto is UNRESOLVED:
            yield cannot_tell(lst, "protocol comes from an unresolved expression")
            continue
        proto = str(proto or "").upper()
        if proto == "HTTP":
            actions = lst.children("default_action")
            types = [attr_value(cfg, a, "type") for a in actions]
            if any(t is UNRESOLVED for t in types):
                yield cannot_tell(lst, "default_action type is not a literal")
            elif not any(t in ("redirect", "fixed-response") for t in types):
                yield hit(lst, f"{lst.address}: HTTP listener forwards traffic instead of redirecting to HTTPS",
                          "protocol")
        elif proto in ("HTTPS", "TLS"):
            pol = attr_value(cfg, lst, "ssl_policy")
            if "ssl_policy" not in lst.attributes:
                yield hit(lst, f"{lst.address}: {proto} listener without ssl_policy (default "
                               "ELBSecurityPolicy-2016-08 allows TLS 1.0)", "protocol")
            elif isinstance(pol, str) and pol in _WEAK_ELB:
                yield hit(lst, f"{lst.address}: ssl_policy {pol} allows TLS 1.0/1.1", "ssl_policy")
    for cf in cfg.resources_of("aws_cloudfront_distribution"):
        for beh in [*cf.children("default_cache_behavior"), *cf.children("ordered_cache_behavior")]:
            if attr_value(cfg, beh, "viewer_protocol_policy") == "allow-all":
                yield hit(cf, f"{cf.address}: {beh.type} viewer_protocol_policy = allow-all",
                          beh.attributes.get("viewer_protocol_policy"))
        for vc in cf.children("viewer_certificate"):
            v = attr_value(cfg, vc, "minimum_protocol_version")
            if isinstance(v, str) and v in _WEAK_CF and truthy(attr_value(cfg, vc, "cloudfront_default_certificate")) \
                    is not True:
                yield hit(cf, f"{cf.address}: minimum_protocol_version = {v}",
                          vc.attributes.get("minimum_protocol_version"))
        for origin in cf.children("origin"):
            for co in origin.children("custom_origin_config"):
                if attr_value(cfg, co, "origin_protocol_policy") == "http-only":
                    yield hit(cf, f"{cf.address}: custom origin reached over http-only",
                              co.attributes.get("origin_protocol_policy"))
    for rg in cfg.resources_of("aws_elasticache_replication_group"):
        v = attr_value(cfg, rg, "transit_encryption_enabled")
        if v is UNRESOLVED:
            yield cannot_tell(rg, "transit_encryption_enabled comes from an unresolved expression")
        elif truthy(v) is not True:
            yield hit(rg, f"{rg.address}: transit_encryption_enabled "
                          f"{'absent' if v is None else '= false'}", "transit_encryption_enabled")
    for msk in cfg.resources_of("aws_msk_cluster"):
        for enc in msk.children("encryption_info"):
            for t in enc.children("encryption_in_transit"):
                if attr_value(cfg, t, "client_broker") in ("PLAINTEXT", "TLS_PLAINTEXT"):
                    yield hit(msk, f"{msk.address}: client_broker = {t.get('client_broker')}",
                              t.attributes.get("client_broker"))
    for dom in cfg.resources_of("aws_opensearch_domain", "aws_elasticsearch_domain"):
        for opts in dom.children("domain_endpoint_options"):
            if truthy(attr_value(cfg, opts, "enforce_https")) is False:
                yield hit(dom, f"{dom.address}: enforce_https = false", opts.attributes.get("enforce_https"))
    for pol in cfg.resources_of("aws_s3_bucket_policy"):
        policy = pol.attributes.get("policy")
        if policy is None:
            continue
        text = source_text(cfg, pol)
        if "SecureTransport" in text:
            continue
        if policy.source.strip().startswith(("file(", "templatefile(", "var.")):
            yield cannot_tell(pol, "bucket policy comes from a file or variable")
            continue
        yield hit(pol, f"{pol.address}: bucket policy has no aws:SecureTransport deny", "policy")
