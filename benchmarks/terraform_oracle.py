"""terraform as the oracle: does drdata say an answer fails `terraform validate` exactly when terraform does?

For every answer (MODEL and IDEAL) of the shared corpus that terraform can run (aws provider only, no registry or
remote modules; files as the answer names them, through drdata's extraction), runs `terraform init` from the local
provider mirror (offline, shared plugin cache) and `terraform validate -json`, in parallel, with verdicts cached
by content hash under the user cache dir (drdata.terraform.validate). Then compares with drdata, which says
"fails validation" when undefined_reference or a schema detector (unknown_resource_type, unsupported_argument,
missing_required_argument, nested_block_limits) fires.

Prints:
- answers run / not runnable (by reason) / terraform's verdicts;
- verdict agreement (share of answers where both say fails or both say passes), and the confusion counts;
- failing-address agreement: the top-level blocks (resource, data, variable, output, local, provider) holding an
  error, on both sides, |both| / |either|, over the answers terraform got past init (terraform stops at the
  first error of a block, and before any block when the files do not load, so blocks only drdata names there are
  not counted against either side);
- undefined_reference against terraform's "Reference to undeclared ..." diagnostics, on the referenced addresses,
  over the answers where terraform got to evaluating references;
- the disagreements grouped by kind (terraform's diagnostic summary, or drdata's detector and message shape),
  with an example each.

    .venv/bin/python benchmarks/terraform_oracle.py [--jobs 2] [--limit N] [--examples 1] [--list KIND]
                                                    [--lambda-packages]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import PurePosixPath

from _corpus import shared_corpus

SCHEMA = ("undefined_reference", "unknown_resource_type", "unsupported_argument", "missing_required_argument",
          "nested_block_limits")
# drdata's verdict: "schema" is the definition; "blocking" adds the other detectors whose categories
# say `terraform validate` rejects the answer.
VERDICTS = {"schema": SCHEMA,
            "blocking": SCHEMA + ("hcl_syntax_error", "provider_configuration_error", "missing_local_files")}
ALL_DETECTORS = VERDICTS["blocking"]


def _shape(message: str) -> str:
    """A finding's message without its names: what kind of failure it is."""
    msg = re.sub(r"^[\w.\-\[\]\"]+: ", "", message)
    msg = re.sub(r"`[^`]*`", "`…`", msg)
    msg = re.sub(r"\baws_\w+", "aws_…", msg)
    msg = re.sub(r"\d+", "#", msg)
    return msg.split("; did you mean")[0][:90]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N tasks")
    ap.add_argument("--examples", type=int, default=1, help="examples printed per disagreement kind")
    ap.add_argument("--list", default=None, help="print every case of disagreement kinds containing this text")
    ap.add_argument("--lambda-packages", action="store_true",
                    help="write empty stand-ins for Lambda packages the answer does not supply, as the pipeline "
                         "builds them before deploying (drdata does not count them as failures)")
    args = ap.parse_args()

    from drdata.corpus import load_corpus
    from drdata.detectors.registry import registry, run_detector
    from drdata.hcl import parse_answer
    from drdata.terraform.validate import answer_module, find_toolchain, validate_many

    tc = find_toolchain()
    tasks = load_corpus(shared_corpus())[: args.limit]
    answers = []  # (task id, side, cfg)
    for t in tasks:
        for side, text in (("MODEL", t.model_response), ("IDEAL", t.ideal_response)):
            if text:
                answers.append((t.id, side, parse_answer(text)))
    print(f"terraform {tc.version}, aws provider {tc.aws_version} from {tc.mirror}; "
          f"{len(tasks)} tasks, {len(answers)} answers")

    modules = [answer_module(cfg, tc.aws_version, lambda_packages=args.lambda_packages) for _, _, cfg in answers]
    not_runnable = Counter(re.sub(r"[\w.]+ (?=of another)|'.*'|\".*\"|module\.\S+", "…", m.reason)
                           for m in modules if not m.runnable)
    idx = [i for i, m in enumerate(modules) if m.runnable]
    t0 = time.perf_counter()
    done = [0]

    def progress(_i, _v):
        done[0] += 1
        if done[0] % 100 == 0:
            print(f"  {done[0]}/{len(idx)} validated ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)

    verdicts = validate_many([answers[i][2] for i in idx], jobs=args.jobs, tc=tc, on_done=progress,
                             lambda_packages=args.lambda_packages)
    dt = time.perf_counter() - t0
    cached = sum(v.cached for v in verdicts)
    print(f"runnable: {len(idx)} answers; not runnable: {len(answers) - len(idx)}")
    for why, n in not_runnable.most_common(8):
        print(f"  {n:4d}  {why}")
    status = Counter(v.status for v in verdicts)
    print(f"terraform: {dict(status)} in {dt:.0f} s ({cached} cached, {args.jobs} parallel)")

    dets = registry()
    conf = {name: Counter() for name in VERDICTS}
    loaded_conf = {name: Counter() for name in VERDICTS}  # answers whose files terraform could load
    addr = {name: Counter() for name in VERDICTS}
    und = Counter()
    disagree: dict[str, dict[str, list[str]]] = {name: defaultdict(list) for name in VERDICTS}
    addr_disagree = {name: defaultdict(list) for name in VERDICTS}
    und_disagree: dict[str, list[str]] = defaultdict(list)
    unknown_dd = 0
    for i, verdict in zip(idx, verdicts, strict=True):
        tid, side, cfg = answers[i]
        if verdict.status == "error":
            for c in conf.values():
                c["terraform error"] += 1
            continue
        outcomes = {d: run_detector(dets[d], cfg) for d in ALL_DETECTORS}
        _LIVE[id(cfg)] = _live(cfg, modules[i])
        name = f"{tid}/{side}"
        errors = verdict.errors()
        tf_fails = verdict.fails
        for vname, det_ids in VERDICTS.items():
            findings = [f for d in det_ids for f in _blocking(outcomes[d].findings)]
            dd_fails = bool(findings)
            conf[vname][(tf_fails, dd_fails)] += 1
            if verdict.status != "init_failed":
                loaded_conf[vname][(tf_fails, dd_fails)] += 1
            if vname == "schema":
                unknown_dd += (not dd_fails) and any(outcomes[d].status == "unknown" for d in det_ids)
            if tf_fails and not dd_fails:
                for cause, ex in _causes(errors).items():
                    disagree[vname][f"terraform only: {cause}"].append(
                        f"{name} {ex.address or ex.file}:{ex.line} {ex.summary}: {ex.detail[:140]!r}")
            elif dd_fails and not tf_fails:
                seen = _seen(cfg, modules[i], set())
                holders = {h for f in findings for h in (_referrers(cfg, f.address) if f.detector ==
                                                         "undefined_reference" else {_holder(cfg, f.line)})}
                if not holders & seen:
                    f = findings[0]
                    disagree[vname]["drdata only: in blocks terraform does not load or evaluate (a superseded "
                                    "revision, a module folder no module block calls, a provider block no "
                                    "resource uses, the backend)"].append(
                        f"{name} {f.message[:160]}")
                    continue
                f = next(f for f in findings if ({_holder(cfg, f.line)} | _referrers(cfg, f.address)) & seen)
                disagree[vname][f"drdata only: {f.detector}: {_shape(f.message)}"].append(
                    f"{name} {f.message[:160]}")

        if verdict.status == "init_failed":
            continue  # the files did not load: terraform evaluated no block
        tf_addr = {d.address for d in errors if d.address}
        # Errors of no block (a provider configuration missing) and of module call arguments come from checks
        # terraform makes before its graph walk: then it evaluated no block.
        early = any(not d.address or d.address.startswith("module.") for d in errors)
        seen = set() if early else _seen(cfg, modules[i], tf_addr)
        # Failing addresses: the top-level blocks holding an error, both sides mapped the same way, over the
        # blocks terraform evaluated (none of their dependencies failed, in a file terraform loads). An undefined
        # reference fails every block that makes it (drdata reports it once, at its first use).
        for vname, det_ids in VERDICTS.items():
            dd_at: dict[str, object] = {}
            for d in det_ids:
                for f in _blocking(outcomes[d].findings):
                    holders = _referrers(cfg, f.address) if d == "undefined_reference" else {_holder(cfg, f.line)}
                    for h in holders:
                        dd_at.setdefault(h or f.address, f)
            dd_addr = {a for a in dd_at if a in seen or a in tf_addr}
            c = addr[vname]
            c["both"] += len(tf_addr & dd_addr)
            c["terraform only"] += len(tf_addr - dd_addr)
            c["drdata only"] += len(dd_addr - tf_addr)
            for a in sorted(tf_addr - dd_addr):
                ex = next(d for d in errors if d.address == a)
                cause = next(iter(_causes([ex])))
                addr_disagree[vname][f"terraform only: {cause}"].append(
                    f"{name} {a}: {ex.summary}: {ex.detail[:140]!r}")
            for a in sorted(dd_addr - tf_addr):
                f = dd_at[a]
                addr_disagree[vname][f"drdata only: {f.detector}: {_shape(f.message)}"].append(
                    f"{name} {a}: {f.message[:160]}")
        # undefined_reference vs "Reference to undeclared ...", on references in blocks terraform evaluated.
        tf_und = {d.undeclared for d in errors if d.undeclared}
        # A block whose other errors terraform reported had its references evaluated only up to them.
        refs_seen = (seen - tf_addr) | {d.address for d in errors if d.undeclared}
        dd_und = {f.address for f in outcomes["undefined_reference"].findings
                  if _referrers(cfg, f.address) & refs_seen}
        und["both"] += len(tf_und & dd_und)
        und["terraform only"] += len(tf_und - dd_und)
        und["drdata only"] += len(dd_und - tf_und)
        for a in sorted(tf_und - dd_und):
            und_disagree["terraform only"].append(f"{name} {a}")
        for a in sorted(dd_und - tf_und):
            f = next(f for f in outcomes["undefined_reference"].findings if f.address == a)
            und_disagree["drdata only"].append(f"{name} {a} (in {_holder(cfg, f.line)})")

    print()
    print("| measure | agree | of | share | target |")
    print("|---|---|---|---|---|")
    for vname, label in (("schema", "verdict: undefined_reference + schema detectors"),
                         ("blocking", "verdict: + hcl_syntax_error, provider_configuration_error, "
                                      "missing_local_files")):
        c = conf[vname]
        total = sum(v for k, v in c.items() if isinstance(k, tuple))
        agree = c[(True, True)] + c[(False, False)]
        print(f"| {label} | {agree} | {total} | {_pct(agree, total)} | >= 95 % |")
        c = loaded_conf[vname]
        total = sum(c.values())
        agree = c[(True, True)] + c[(False, False)]
        print(f"| {label}, answers whose files load (init passes) | {agree} | {total} | {_pct(agree, total)} | |")
    for vname in VERDICTS:
        c = addr[vname]
        total = sum(c.values())
        print(f"| failing addresses ({vname}; blocks terraform evaluated) | {c['both']} | {total} | "
              f"{_pct(c['both'], total)} | >= 90 % |")
    und_total = sum(und.values())
    print(f"| undefined_reference vs terraform's undeclared | {und['both']} | {und_total} | "
          f"{_pct(und['both'], und_total)} | >= 95 % |")
    print()
    for vname, c in conf.items():
        print(f"verdicts ({vname}): both fail {c[(True, True)]}, both pass {c[(False, False)]}, "
              f"only terraform fails {c[(True, False)]}, only drdata fails {c[(False, True)]}"
              + (f", terraform errors {c['terraform error']}" if c["terraform error"] else ""))
    print(f"drdata passes with a schema detector or undefined_reference unable to tell on {unknown_dd} answers")
    print(f"addresses: { {k: dict(v) for k, v in addr.items()} }; undeclared: {dict(und)}")
    groups_all = [(f"verdict disagreements ({v}) by cause, answers", disagree[v]) for v in VERDICTS]
    groups_all += [(f"address disagreements ({v}) by cause, blocks", addr_disagree[v]) for v in VERDICTS]
    groups_all += [("undeclared disagreements, addresses", und_disagree)]
    for title, groups in groups_all:
        print(f"\n{title}:")
        for kind, cases in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(cases):4d}  {kind}")
            shown = cases if args.list and args.list in kind else cases[: args.examples]
            for c in shown:
                print(f"          e.g. {c}")


# (cause, regex over "summary detail", checked in order). The category in brackets is the drdata detector whose
# job the failure is.
_CAUSES = [
    ("lambda zip the answer does not build (lambda_package_missing, outside the validate verdict)",
     r"\.zip: no such file|no file exists at \S+\.zip"),
    ("local file missing (missing_local_files)", r"no file exists|no such file"),
    ("duplicate declaration (hcl_syntax_error)", r"^Duplicate (resource|data|variable|output|local|module)"),
    ("provider configuration (provider_configuration_error)",
     r"^(Duplicate provider|Duplicate required providers|Provider configuration not present"
     r"|Invalid provider configuration reference)"),
    ("HCL syntax (hcl_syntax_error)",
     r"^(Argument or block definition required|Invalid multi-line string|Unterminated template string"
     r"|Invalid block definition|Missing expression|Invalid string literal|Missing name for|Invalid character"
     r"|Attribute redefined|Missing newline after argument|Extraneous label|Unclosed configuration block"
     r"|Invalid expression|Missing key/value separator|Unsupported operator|Invalid reference)"),
    ("undeclared reference (undefined_reference)", r"^Reference to undeclared"),
    ("unknown type (unknown_resource_type)", r"^Invalid (resource|data source) type|^Invalid data source"),
    ("argument or block (schema detectors)",
     r"^(Unsupported argument|Unsupported block type|Missing required argument|Insufficient \w+ blocks"
     r"|Too many \w+ blocks|Duplicate \w+ block|Invalid or unknown key|Computed attributes cannot be set"
     r"|Can't configure a value|Incorrect attribute value type)"),
    ("provider value checks (no detector)", r"^(expected |Conflicting configuration arguments|Invalid combination"
                                             r"|invalid value|\S+ must |ExactlyOne|\"\w+\": (one of|all of|only one))"),
]


def _causes(errors) -> dict:
    """Cause classes of terraform errors (first example of each); module call arguments form their own."""
    out = {}
    for d in errors:
        text = f"{d.summary} {d.detail}"
        if (d.address or "").startswith("module.") and not d.summary.startswith("Reference to undeclared"):
            cause = "module call arguments vs the module's variables (no detector)"
        else:
            cause = next((name for name, rx in _CAUSES if re.search(rx, text)), None)
        if cause is None:
            cause = "other: " + re.sub(r'"[^"]*"', "…", d.summary)[:70]
        out.setdefault(cause, d)
    return out or {"(no error diagnostic)": None}


DEAD = "(a block terraform does not load: a superseded revision, or a folder no module block calls)"
_LIVE: dict[int, frozenset[int]] = {}  # id(cfg) -> first lines of the blocks in the files terraform loads


def _folders(cfg, module):
    """(folder of a block's file, folders terraform loads, module folder -> module blocks calling it)."""
    from drdata.detectors.registry import block_address

    def folder(file):
        return _norm(str(PurePosixPath(file).parent)) if file and "/" in file else (module.root or ".")

    root = module.root or "."
    loaded, todo = {root}, [root]
    callers: dict[str, set[str]] = defaultdict(set)
    while todo:
        d = todo.pop()
        for m in cfg.modules:
            src = m.get("source")
            if folder(m.file) == d and isinstance(src, str) and src.startswith(("./", "../")):
                sub = _norm(str(PurePosixPath(d, src)) if d != "." else str(PurePosixPath(src)))
                callers[sub].add(block_address(m))
                if sub not in loaded:
                    loaded.add(sub)
                    todo.append(sub)
    return folder, loaded, callers


def _live(cfg, module) -> frozenset[int]:
    from drdata.terraform.revisions import superseded

    folder, loaded, _ = _folders(cfg, module)
    dead = [span for spans in superseded(cfg).values() for span in spans]
    lines = set()
    for b in (*cfg.all_blocks(), *cfg.locals_blocks):
        if folder(b.file) in loaded and not any(a <= b.line <= z for a, z in dead):
            lines.add(b.line)
            if b.type == "locals":
                lines.update(a.line for a in b.attributes.values())
    return frozenset(lines)


def _seen(cfg, module, failed: set[str]) -> set[str]:
    """Top-level blocks terraform validate evaluated: in a file it loads (the root module's folder and the
    local modules called from loaded files, not a superseded revision), and none of their dependencies failed
    (terraform's graph walk skips what depends on a failed node, silently)."""
    from drdata.detectors.registry import block_address
    from drdata.hcl.model import Resource

    folder, loaded, callers = _folders(cfg, module)
    live = _LIVE[id(cfg)]
    deps: dict[str, set[str]] = {}
    inside: set[str] = set()
    for b in cfg.all_blocks():
        a = b.address if isinstance(b, Resource) else block_address(b)
        if b.line in live:
            inside.add(a)
        refs = {r.address for r in b.all_refs() if r.kind != "other"} | callers.get(folder(b.file), set())
        if isinstance(b, Resource):
            prov = b.get("provider")
            refs.discard(str(prov) if prov else "")
            refs.add(f"provider.{prov}" if prov else "provider.aws")
        deps.setdefault(a, set()).update(refs)
    for name, attr in cfg.locals.items():
        deps.setdefault(f"local.{name}", set()).update(r.address for r in attr.refs if r.kind != "other")
        if attr.line in live:
            inside.add(f"local.{name}")
    bad: dict[str, bool] = {}

    def blocked(a: str, stack: frozenset = frozenset()) -> bool:
        if a in bad:
            return bad[a]
        if a in stack:
            return False
        res = any(d in failed or blocked(d, stack | {a}) for d in deps.get(a, ()) if d != a)
        bad[a] = res
        return res

    used = {r for deps_of in deps.values() for r in deps_of if r.startswith("provider.")}
    return {a for a in inside if not blocked(a) and a != "terraform"  # init -backend=false: no backend
            and (not a.startswith("provider.") or a in used)}  # an unused provider block is pruned


def _norm(path: str) -> str:
    parts = []
    for p in PurePosixPath(path).parts:
        if p == "..":
            if parts:
                parts.pop()
        elif p != ".":
            parts.append(p)
    return "/".join(parts) or "."


def _blocking(findings) -> list:
    """Findings that say terraform validate fails: not the pipeline's provider.tf convention."""
    return [f for f in findings if "the pipeline's provider.tf" not in f.message]


def _referrers(cfg, address: str) -> set[str]:
    """Top-level blocks and locals whose expressions refer to ``address`` (DEAD for those not loaded)."""
    from drdata.detectors.registry import block_address
    from drdata.hcl.model import Resource

    live = _LIVE[id(cfg)]
    out = {(b.address if isinstance(b, Resource) else block_address(b)) if b.line in live else DEAD
           for b in cfg.referrers(address)}
    out |= {f"local.{n}" if a.line in live else DEAD for n, a in cfg.locals.items()
            if any(r.address == address for r in a.refs)}
    return out


def _holder(cfg, line) -> str | None:
    """Address of the top-level block holding ``line`` (DEAD when terraform does not load that block)."""
    from drdata.detectors.registry import block_address
    from drdata.hcl.model import Resource

    if line is None:
        return None
    live = _LIVE[id(cfg)]
    for b in (*cfg.all_blocks(), *cfg.locals_blocks):
        if b.line <= line <= b.end_line:
            if b.line not in live:
                return DEAD
            if b.type == "locals":
                return next((f"local.{n}" for n, a in b.attributes.items() if a.line <= line <= a.end_line), None)
            return b.address if isinstance(b, Resource) else block_address(b)
    return None


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "n/a"


if __name__ == "__main__":
    main()
