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


def _parsed(blocks) -> int:
    parse = _backend("treesitter")
    return sum(1 for cb in blocks if not parse(_without_stray_fences(cb.text), cb.file, cb.line)[1])


# python-hcl2 takes ~50 ms a block, and even tree-sitter over every block of the corpus is tens of seconds on a
# shared machine: the quick loop checks every SAMPLE_STEP-th block, the whole corpus runs under the slow marker
# (the full suite runs both).
SAMPLE_STEP = 20


def test_at_least_98_percent_of_a_sample_of_the_blocks_parse_with_the_default_backend(corpus_blocks):
    sample = corpus_blocks[::SAMPLE_STEP]
    assert _parsed(sample) / len(sample) >= 0.98


@pytest.mark.slow
def test_at_least_98_percent_of_blocks_parse_with_the_default_backend(corpus_blocks):
    ok = _parsed(corpus_blocks)
    assert len(corpus_blocks) > 5000
    assert ok / len(corpus_blocks) >= 0.98, f"{ok}/{len(corpus_blocks)} blocks parsed"


def _addresses(blocks):
    return sorted(".".join((b.type, *b.labels)) for b in blocks)


def _agreement(blocks) -> tuple[int, int, list]:
    """(blocks both backends accept, those where they find the same addresses, where the others are)."""
    ts, h2 = _backend("treesitter"), _backend("hcl2")
    both = same = 0
    differing = []
    for cb in blocks:
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
    return both, same, differing


def test_backends_agree_on_addresses_on_a_sample_of_the_blocks(corpus_blocks):
    both, same, differing = _agreement(corpus_blocks[::SAMPLE_STEP])
    assert both > 4000 // SAMPLE_STEP
    assert same / both >= 0.995, f"{both - same} of {both} blocks differ, e.g. {differing[:5]}"


@pytest.mark.slow
def test_backends_agree_on_addresses_where_both_accept_the_block(corpus_blocks):
    both, same, differing = _agreement(corpus_blocks)
    assert both > 4000
    assert same / both >= 0.995, f"{both - same} of {both} blocks differ, e.g. {differing[:5]}"


def test_the_one_walk_conversion_equals_value_plus_refs_on_the_corpus(corpus_blocks):
    from tests.hcl._walk import value_refs_mismatches

    bad = [m for cb in corpus_blocks[::3] for m in value_refs_mismatches(_without_stray_fences(cb.text))]
    assert bad == []
