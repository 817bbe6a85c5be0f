"""Dask scale-out: a two-worker LocalCluster gives exactly the pandas results."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import TEMPLATE_CODEBOOK

from benchmarks.synthetic import make_comments
from jtbd_methods.cli import main
from jtbd_methods.codebook import load_codebook
from jtbd_methods.coding import code_comments
from jtbd_methods.errors import JTBDError
from jtbd_methods.scale import code_corpus

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    codebook = load_codebook(TEMPLATE_CODEBOOK)
    feedback = make_comments(codebook, 4000, seed=11)
    folder = tmp_path_factory.mktemp("corpus")
    for i, part in enumerate(range(0, len(feedback), 1000)):
        feedback.iloc[part : part + 1000].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder, feedback, codebook


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, ignore_index=True)


@pytest.fixture(scope="module")
def both(corpus, tmp_path_factory):
    folder, _, codebook = corpus
    out = tmp_path_factory.mktemp("out")
    pandas_result = code_corpus(folder, codebook, out / "pandas", engine="pandas")
    dask_result = code_corpus(folder, codebook, out / "dask", engine="dask", n_workers=2)
    return pandas_result, dask_result


@pytest.mark.slow  # a two-worker Dask cluster (make test-slow)
def test_dask_equals_pandas_exactly(both):
    p, d = both
    keys = ["comment_id", "job_id"]
    pc, dc = _sorted(pd.read_parquet(p.codes), keys), _sorted(pd.read_parquet(d.codes), keys)
    pd.testing.assert_frame_equal(pc, dc, check_dtype=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(p.job_counts), pd.read_parquet(d.job_counts), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(p.comment_counts), pd.read_parquet(d.comment_counts), check_dtype=False
    )
    assert p.n_comments == d.n_comments == 4000 and p.n_codes == d.n_codes


@pytest.mark.slow  # a two-worker Dask cluster (make test-slow)
def test_codes_equal_in_memory_coder(corpus, both):
    _, feedback, codebook = corpus
    expected = code_comments(feedback, codebook)
    got = pd.read_parquet(both[1].codes)
    assert set(zip(got["comment_id"], got["job_id"], got["polarity"], strict=True)) == set(
        zip(expected["comment_id"], expected["job_id"], expected["polarity"], strict=True)
    )


@pytest.mark.slow  # a two-worker Dask cluster (make test-slow)
def test_counts_add_up(corpus, both):
    _, feedback, _ = corpus
    counts = pd.read_parquet(both[0].comment_counts)
    assert counts["n"].sum() == len(feedback)
    jobs = pd.read_parquet(both[0].job_counts)
    assert jobs["n"].sum() == both[0].n_codes


@pytest.mark.slow  # a two-worker Dask cluster (make test-slow)
def test_existing_output_refused(corpus, both):
    folder, _, codebook = corpus
    with pytest.raises(JTBDError, match="already exists"):
        code_corpus(folder, codebook, both[0].codes.parent, engine="pandas")


def test_missing_column_named(corpus, tmp_path):
    _, feedback, codebook = corpus
    feedback.drop(columns=["site"]).to_parquet(tmp_path / "x.parquet")
    with pytest.raises(JTBDError, match="no column site"):
        code_corpus(tmp_path / "x.parquet", codebook, tmp_path / "out", engine="pandas")
    assert not (tmp_path / "out").exists()


def test_cli_code_pandas(corpus, tmp_path, capsys):
    folder, _, _ = corpus
    code = main(
        [
            "code",
            "--input",
            str(folder),
            "--codebook",
            str(TEMPLATE_CODEBOOK),
            "--out",
            str(tmp_path / "o"),
            "--engine",
            "pandas",
        ]
    )
    assert code == 0
    assert (tmp_path / "o" / "job_counts.parquet").is_file()
    assert "4,000 comments" in capsys.readouterr().out


@pytest.mark.slow  # a two-worker Dask cluster (make test-slow)
def test_compiled_codebook_has_a_deterministic_dask_token(corpus):
    import dask
    from dask.base import tokenize

    from jtbd_methods.coding import compile_codebook

    _, _, codebook = corpus
    with dask.config.set({"tokenize.ensure-deterministic": True}):
        assert tokenize(compile_codebook(codebook)) == tokenize(compile_codebook(codebook))
