"""Parse cache: hits, misses, keys, bypass, and a broken cache never stops parsing."""

from drdata.hcl import parse_answer
from drdata.hcl.cache import ParseCache

ANSWER = '## main.tf\n\n```hcl\nresource "aws_s3_bucket" "a" {\n  bucket = "x"\n}\n```\n'


def test_second_parse_of_the_same_text_is_a_hit(tmp_path):
    cache = ParseCache(tmp_path / "c.sqlite")
    first = parse_answer(ANSWER, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)
    second = parse_answer(ANSWER, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert [r.address for r in second.resources] == [r.address for r in first.resources] == ["aws_s3_bucket.a"]
    assert second.resources[0].line == first.resources[0].line == 4


def test_changed_text_or_backend_misses(tmp_path):
    cache = ParseCache(tmp_path / "c.sqlite")
    parse_answer(ANSWER, cache=cache)
    parse_answer(ANSWER.replace('"x"', '"y"'), cache=cache)
    parse_answer(ANSWER, cache=cache, backend="hcl2")
    assert (cache.hits, cache.misses) == (0, 3)
    assert len(cache) == 3


def test_cache_false_neither_reads_nor_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("DRDATA_CACHE_DIR", str(tmp_path / "default"))
    parse_answer(ANSWER, cache=False)
    assert not (tmp_path / "default").exists()


def test_default_cache_lives_under_drdata_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DRDATA_CACHE_DIR", str(tmp_path / "here"))
    parse_answer(ANSWER)
    assert (tmp_path / "here" / "parse-cache.sqlite").is_file()


def test_an_unusable_cache_location_only_costs_a_reparse(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ParseCache(blocker / "sub" / "c.sqlite")  # parent is a file: cannot be created
    cfg = parse_answer(ANSWER, cache=cache)
    assert [r.address for r in cfg.resources] == ["aws_s3_bucket.a"]


def test_a_corrupt_entry_is_parsed_again(tmp_path):
    cache = ParseCache(tmp_path / "c.sqlite")
    parse_answer(ANSWER, cache=cache)
    conn = cache.connection()
    conn.execute("UPDATE parses SET value = ?", (b"garbage",))
    cfg = parse_answer(ANSWER, cache=cache)
    assert [r.address for r in cfg.resources] == ["aws_s3_bucket.a"]


def test_a_change_to_the_parser_code_invalidates_cached_parses(tmp_path, monkeypatch):
    from drdata.hcl import cache as cache_mod

    cache = ParseCache(tmp_path / "c.sqlite")
    parse_answer(ANSWER, cache=cache)
    monkeypatch.setitem(cache_mod._FINGERPRINTS, ("extract", "hcl"), "other parser code")
    parse_answer(ANSWER, cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)
