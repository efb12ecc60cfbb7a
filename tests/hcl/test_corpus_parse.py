"""Parsing over the whole shared corpus: parse rate and agreement of the two backends."""

import pytest

from drdata.corpus import load_corpus
from drdata.extract import extract_code_blocks
from drdata.hcl.parse import _backend, _without_stray_fences

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_blocks(shared_corpus):
    blocks = []
    for task in load_corpus(shared_corpus):
        for text in (task.model_response, task.ideal_response):
            if text:
                blocks.extend(extract_code_blocks(text).blocks)
    return blocks


def test_at_least_98_percent_of_blocks_parse_with_the_default_backend(corpus_blocks):
    parse = _backend("treesitter")
    ok = sum(1 for cb in corpus_blocks if not parse(_without_stray_fences(cb.text), cb.file, cb.line)[1])
    assert len(corpus_blocks) > 5000
    assert ok / len(corpus_blocks) >= 0.98, f"{ok}/{len(corpus_blocks)} blocks parsed"


def _addresses(blocks):
    return sorted(".".join((b.type, *b.labels)) for b in blocks)


def test_backends_agree_on_addresses_where_both_accept_the_block(corpus_blocks):
    ts, h2 = _backend("treesitter"), _backend("hcl2")
    both = same = 0
    differing = []
    for cb in corpus_blocks:
        b1, e1 = ts(cb.text, cb.file, cb.line)
        if e1:
            continue
        b2, e2 = h2(cb.text, cb.file, cb.line)
        if e2:
            continue
        both += 1
        if _addresses(b1) == _addresses(b2):
            same += 1
        else:
            differing.append((cb.file, cb.line))
    assert both > 4000
    assert same / both >= 0.995, f"{both - same} of {both} blocks differ, e.g. {differing[:5]}"


def test_the_one_walk_conversion_equals_value_plus_refs_on_the_corpus(corpus_blocks):
    from tests.hcl._walk import value_refs_mismatches

    bad = [m for cb in corpus_blocks[::3] for m in value_refs_mismatches(_without_stray_fences(cb.text))]
    assert bad == []
