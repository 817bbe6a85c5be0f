"""Inductive theme discovery for comments that no job in the codebook explains.

A codebook is never complete. Comments the deductive coder leaves unexplained may hold jobs
nobody has written down yet. :func:`discover_themes` finds recurring themes among them with
non-negative matrix factorisation (NMF) of a TF-IDF matrix [1]_, chooses the number of
themes by how *stable* they are when the model is refitted on random subsamples [2]_, and
offers each theme as a candidate new job (:meth:`ThemeDiscovery.candidate_jobs`) for the
research team to name, define and add to the codebook — or reject.

The themes are a prompt for qualitative judgement, not a result: read the representative
comments before naming a theme, and code a sample by hand before trusting it.

References
----------
.. [1] Lee, D. D., & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
   factorization. *Nature*, 401(6755), 788-791.
.. [2] Greene, D., O'Callaghan, D., & Cunningham, P. (2014). How many topics? Stability
   analysis for topic models. In *Machine Learning and Knowledge Discovery in Databases
   (ECML PKDD 2014)*, LNCS 8724, 498-513. Springer.
.. [3] Braun, V., & Clarke, V. (2006). Using thematic analysis in psychology. *Qualitative
   Research in Psychology*, 3(2), 77-101.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from jtbd_methods._validation import check_fraction, check_int
from jtbd_methods.coding.features import NgramTfidf
from jtbd_methods.lexicon import non_answers

__all__ = ["ThemeDiscovery", "discover_themes"]

logger = logging.getLogger(__name__)

_CRITERION = (
    "k with the highest stability: mean cosine similarity between the topic-term vectors of "
    "the model fitted on all comments and those of models refitted on random 80% subsamples "
    "(topics matched one-to-one by the Hungarian algorithm)"
)


@dataclass(frozen=True)
class ThemeDiscovery:
    """Result of :func:`discover_themes`.

    Attributes
    ----------
    k : int
        Number of themes of the final model.
    selection : pandas.DataFrame
        One row per candidate number of themes: ``k``; ``stability`` (mean best-match cosine
        similarity over restarts, 0-1, higher is more reproducible); ``stability_sd`` (its
        standard deviation over restarts); ``reconstruction_error`` (Frobenius norm of the
        residual of the model on all comments); ``chosen`` (bool).
    topics : pandas.DataFrame
        One row per theme: ``topic`` (1..k, largest theme first); ``label`` (suggested, from
        the top three terms); ``top_terms`` (comma-separated, best first); ``size`` (comments
        whose strongest theme it is); ``share`` (size over the comments analysed, 0-1);
        ``stability`` (mean matched cosine similarity of this theme over restarts, 0-1).
    terms : pandas.DataFrame
        Long table of the top terms: ``topic``, ``rank`` (1 = strongest), ``term``,
        ``weight`` (NMF loading).
    quotes : pandas.DataFrame
        Representative comments: ``topic``, ``rank``, the id column, ``weight`` (the
        comment's loading on the theme), ``text`` (redacted when a ``redact`` function was
        given).
    assignments : pandas.DataFrame
        One row per input comment: the id column, ``topic`` (``Int64``; ``<NA>`` when the
        comment is empty or has no term of the vocabulary) and ``weight``.
    n_documents : int
        Comments analysed (non-empty and with at least one vocabulary term).
    n_terms : int
        Size of the vocabulary.
    criterion : str
        How ``k`` was chosen, in words.
    id_name : str
        Name of the id column in ``quotes`` and ``assignments``.

    Examples
    --------
    >>> texts = ["car park full no parking spaces", "parking charges too high car park",
    ...          "meals cold food late", "tasteless food cold dinner"] * 6
    >>> result = discover_themes(texts, n_topics=2, n_restarts=2)
    >>> result.summary()[["topic", "size"]].to_dict("list")
    {'topic': [1, 2], 'size': [12, 12]}
    >>> bool(result.candidate_jobs()["suggested_id"].str.startswith("theme_").all())
    True
    """

    k: int
    selection: pd.DataFrame
    topics: pd.DataFrame
    terms: pd.DataFrame
    quotes: pd.DataFrame
    assignments: pd.DataFrame
    n_documents: int
    n_terms: int
    criterion: str
    id_name: str = "comment_id"

    def summary(self) -> pd.DataFrame:
        """One row per theme: topic, label, size, share, stability, top_terms, example.

        ``example`` is the text of the most representative comment (as stored in
        ``quotes``, i.e. redacted when a ``redact`` function was given).
        """
        first = self.quotes[self.quotes["rank"] == 1][["topic", "text"]].rename(
            columns={"text": "example"}
        )
        out = self.topics.merge(first, on="topic", how="left")
        out["example"] = out["example"].fillna("")
        return out[["topic", "label", "size", "share", "stability", "top_terms", "example"]]

    def candidate_jobs(self, *, prefix: str = "theme_", n_indicators: int = 5) -> pd.DataFrame:
        """Each theme as a candidate new job for the codebook.

        Parameters
        ----------
        prefix : str, default ``"theme_"``
            Prefix of the suggested job ids (lower_snake_case, to be renamed by the team).
        n_indicators : int, default 5
            Number of top terms offered as candidate indicator phrases.

        Returns
        -------
        pandas.DataFrame
            One row per theme, largest first: ``topic``; ``suggested_id`` (unique
            lower_snake_case id from the top two terms); ``suggested_label``;
            ``indicators`` (top terms, ``;``-separated); ``n_comments``; ``share``;
            ``stability``; ``example_ids`` (ids of the representative comments,
            ``;``-separated); ``example`` (the most representative comment).
        """
        n_indicators = check_int(
            n_indicators,
            parameter="n_indicators",
            caller="ThemeDiscovery.candidate_jobs",
            minimum=1,
        )
        if not isinstance(prefix, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", prefix):
            raise ValueError(
                "The 'prefix' parameter of ThemeDiscovery.candidate_jobs must be lower_snake_case "
                f"starting with a letter; got {prefix!r}."
            )
        taken: set[str] = set()
        rows = []
        summary = self.summary()
        for _, t in summary.iterrows():
            terms = self.terms[self.terms["topic"] == t["topic"]].sort_values("rank")["term"]
            base = prefix + re.sub(r"[^a-z0-9]+", "_", "_".join(terms.head(2)).lower()).strip("_")
            base = base[:60].rstrip("_")
            sid, i = base, 2
            while sid in taken:
                sid, i = f"{base}_{i}", i + 1
            taken.add(sid)
            q = self.quotes[self.quotes["topic"] == t["topic"]].sort_values("rank")
            rows.append(
                {
                    "topic": t["topic"],
                    "suggested_id": sid,
                    "suggested_label": t["label"],
                    "indicators": "; ".join(terms.head(n_indicators)),
                    "n_comments": t["size"],
                    "share": t["share"],
                    "stability": t["stability"],
                    "example_ids": "; ".join(map(str, q[self.id_name])),
                    "example": t["example"],
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "topic",
                "suggested_id",
                "suggested_label",
                "indicators",
                "n_comments",
                "share",
                "stability",
                "example_ids",
                "example",
            ],
        )


def _as_texts(texts: Any) -> tuple[list[str], pd.Index | None]:
    if isinstance(texts, str) or texts is None:
        raise TypeError(
            "The 'texts' parameter of discover_themes must be a sequence of comment "
            f"texts (list or pandas Series); got {type(texts).__name__}."
        )
    index = texts.index if isinstance(texts, pd.Series) else None
    if isinstance(texts, pd.DataFrame):
        raise TypeError(
            "The 'texts' parameter of discover_themes must be a sequence of comment "
            "texts; got a DataFrame (pass one column, e.g. feedback['comment'])."
        )
    if not isinstance(texts, Iterable):
        raise TypeError(
            "The 'texts' parameter of discover_themes must be a sequence of comment "
            f"texts; got {type(texts).__name__}."
        )
    out = []
    for i, t in enumerate(list(texts)):
        if t is None or (isinstance(t, float) and np.isnan(t)) or t is pd.NA:
            out.append("")
        elif isinstance(t, str):
            out.append(t)
        else:
            raise TypeError(
                f"discover_themes: texts[{i}] is {type(t).__name__} ({t!r}); every "
                "comment must be a string (or missing)."
            )
    return out, index


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norm > 0, norm, 1.0)


def _fit(x, k: int, *, init: str, seed: int, max_iter: int) -> NMF:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NMF(n_components=k, init=init, random_state=seed, max_iter=max_iter, tol=1e-4).fit(x)


def _stability(
    x,
    reference: np.ndarray,
    k: int,
    *,
    n_restarts: int,
    seed: int | None,
    max_iter: int,
    fraction: float = 0.8,
) -> np.ndarray:
    """Restarts x topics matrix of matched cosine similarities to the reference topics."""
    rng = np.random.default_rng(None if seed is None else [seed, k])
    ref = _unit_rows(reference)
    n = x.shape[0]
    size = max(k + 1, int(round(fraction * n)))
    sims = np.zeros((n_restarts, k))
    for r in range(n_restarts):
        rows = np.sort(rng.choice(n, size=min(size, n), replace=False))
        sub = x[rows]
        model = _fit(sub, k, init="random", seed=int(rng.integers(2**31 - 1)), max_iter=max_iter)
        s = ref @ _unit_rows(model.components_).T
        ri, ci = linear_sum_assignment(-s)
        sims[r, ri] = s[ri, ci]
    return sims


def discover_themes(
    texts: Sequence[str] | pd.Series,
    *,
    ids: Sequence[Any] | None = None,
    n_topics: int | None = None,
    candidates: Iterable[int] = range(3, 13),
    n_restarts: int = 5,
    random_state: int | None = 0,
    max_features: int = 5000,
    min_df: int = 2,
    max_df: float = 0.9,
    ngram_range: tuple[int, int] = (1, 2),
    stop_words: str | Sequence[str] | None = "english",
    n_terms: int = 10,
    n_quotes: int = 3,
    redact: Callable[[pd.Series], pd.Series] | None = None,
    id_name: str = "comment_id",
    max_iter: int = 400,
    max_fit: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> ThemeDiscovery:
    """Find recurring themes in free-text comments with TF-IDF and NMF.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The comments (typically those no job of the codebook explains). Missing values
        count as empty comments.
    ids : sequence, optional
        Comment ids, unique, same length as ``texts``; default the Series index, or
        positions 0..n-1 for other sequences.
    n_topics : int, optional
        Fix the number of themes; by default it is chosen from ``candidates``.
    candidates : iterable of int, default range(3, 13)
        Numbers of themes to compare (values that the data cannot support are skipped).
    n_restarts : int, default 5
        Refits on random 80 % subsamples used to measure stability.
    random_state : int or None, default 0
        Seed; the same seed gives the same result.
    max_features : int, default 5000
        Largest vocabulary (the terms in most comments; ties by term).
    min_df : int, default 2
        Terms in fewer comments are dropped.
    max_df : float, default 0.9
        Terms in a larger share of comments are dropped (too common to separate themes).
    ngram_range : tuple of int, default (1, 2)
        Word n-grams used as terms (single words and pairs).
    stop_words : "english", list of str or None, default "english"
        Words ignored (scikit-learn's English list by default).
    n_terms : int, default 10
        Top terms kept per theme.
    n_quotes : int, default 3
        Representative comments kept per theme.
    redact : callable, optional
        Applied to the quoted texts, e.g. ``privacy.redact``; pass it whenever the result
        is shown outside the research team.
    id_name : str, default "comment_id"
        Name of the id column in ``quotes`` and ``assignments``.
    max_iter : int, default 400
        Iterations of each NMF fit.
    max_fit : int, default 2000
        Most distinct comments the themes are fitted on (a random sample, drawn with
        ``random_state``, when there are more); every comment is then assigned to a theme.
        Bounds the time on large studies: 150,000 comments take about as long as 2,000.
    progress : callable, optional
        Receives one line per number of themes tried (default: the module's logger).

    Returns
    -------
    ThemeDiscovery
        Themes with top terms, sizes, stability and representative quotes, the model
        selection table, and per-comment assignments (see :class:`ThemeDiscovery`).

    Raises
    ------
    TypeError
        If ``texts`` is not a sequence of strings, or ``redact`` is not callable.
    ValueError
        If there is no non-empty comment, no term survives ``min_df``/``max_df``, ``ids``
        have the wrong length or repeat, no candidate number of themes fits the data, or a
        numeric parameter is out of range.

    Notes
    -----
    Comments are turned into a TF-IDF matrix :math:`X` (sublinear term frequency, rows
    scaled to unit length; the package's :class:`~jtbd_methods.coding.features.NgramTfidf`
    on words of two or more letters, with a distinct wording written :math:`c` times counted
    :math:`c` times in document frequencies and idf) and factorised as :math:`X \\approx WH` with non-negative
    :math:`W` (comments x themes) and :math:`H` (themes x terms) [1]_. A theme is a row of
    :math:`H`; its top terms are the largest loadings; a comment belongs to the theme with
    its largest weight in :math:`W`.

    The number of themes :math:`k` is chosen by stability [2]_: for each candidate
    :math:`k` the reference model (fitted on all comments, NNDSVDA initialisation) is
    compared with ``n_restarts`` models fitted from random starts on random 80 % subsamples;
    each reference theme is matched one-to-one to a restart theme (Hungarian algorithm on
    the cosine similarity of their term vectors), and

    .. math:: \\text{stability}(k) = \\frac{1}{R\\,k}\\sum_{r=1}^{R}\\sum_{j=1}^{k}
              \\cos(h_j, h^{(r)}_{\\pi_r(j)}).

    Themes that reflect real structure in the comments come back in every refit
    (stability near 1); too few themes merge them in varying ways and too many split them
    arbitrarily, and both lower stability. The :math:`k` with the highest stability is
    chosen (the smallest on ties). Empty comments and comments without any vocabulary term
    are excluded from the fit and have ``topic`` ``<NA>`` in ``assignments``; so are
    non-answers ("nothing", "n/a", "did not answer": :func:`~jtbd_methods.lexicon.non_answers`),
    which would otherwise come back as a theme of their own.

    *Scale.* Identical comments (ignoring case and spacing) are fitted once, their row of
    :math:`X` scaled by the square root of their number of copies, which gives the squared
    error of the factorisation exactly the weight of all copies at a fraction of the cost
    (the vocabulary and idf are those of the distinct comments). The vocabulary,
    the choice of :math:`k` and the themes are fitted on at most ``max_fit`` distinct
    comments; every comment (duplicates included) is then assigned by projecting it on the
    themes (:meth:`sklearn.decomposition.NMF.transform`), so sizes and shares count all of
    them.

    References
    ----------
    .. [1] Lee, D. D., & Seung, H. S. (1999). *Nature*, 401(6755), 788-791.
    .. [2] Greene, D., O'Callaghan, D., & Cunningham, P. (2014). How many topics? Stability
       analysis for topic models. *ECML PKDD 2014*, LNCS 8724, 498-513.

    Examples
    --------
    >>> parking = [f"car park full no parking spaces on day {i}" for i in range(15)]
    >>> food = [f"food cold and tasteless meals on ward {i}" for i in range(15)]
    >>> result = discover_themes(parking + food, candidates=[2, 3], n_restarts=3)
    >>> result.k
    2
    >>> sorted(result.summary()["size"].tolist())
    [15, 15]
    """
    caller = "discover_themes"
    docs, index = _as_texts(texts)
    if ids is None:
        id_values = list(index) if index is not None else list(range(len(docs)))
    else:
        id_values = list(ids)
        if len(id_values) != len(docs):
            raise ValueError(
                f"The 'ids' parameter of {caller} must have one id per text; got "
                f"{len(id_values)} ids for {len(docs)} texts."
            )
    if len(set(map(str, id_values))) != len(id_values):
        raise ValueError(f"The 'ids' of {caller} must be unique.")
    if redact is not None and not callable(redact):
        raise TypeError(
            f"The 'redact' parameter of {caller} must be callable or None; got "
            f"{type(redact).__name__}."
        )
    n_restarts = check_int(n_restarts, parameter="n_restarts", caller=caller, minimum=1)
    n_topics = check_int(n_topics, parameter="n_topics", caller=caller, minimum=2, allow_none=True)
    max_features = check_int(max_features, parameter="max_features", caller=caller, minimum=2)
    min_df = check_int(min_df, parameter="min_df", caller=caller, minimum=1)
    max_df = check_fraction(max_df, parameter="max_df", caller=caller, inclusive=True)
    n_terms = check_int(n_terms, parameter="n_terms", caller=caller, minimum=1)
    n_quotes = check_int(n_quotes, parameter="n_quotes", caller=caller, minimum=0)
    max_iter = check_int(max_iter, parameter="max_iter", caller=caller, minimum=10)
    check_int(random_state, parameter="random_state", caller=caller, allow_none=True)
    if n_topics is not None:
        wanted = [n_topics]
    else:
        if isinstance(candidates, (str, bytes)) or not isinstance(candidates, Iterable):
            raise TypeError(
                f"The 'candidates' parameter of {caller} must be an iterable of "
                f"integers; got {type(candidates).__name__}."
            )
        wanted = sorted(
            {check_int(k, parameter="candidates", caller=caller, minimum=2) for k in candidates}
        )
        if not wanted:
            raise ValueError(f"The 'candidates' parameter of {caller} is empty.")

    max_fit = check_int(max_fit, parameter="max_fit", caller=caller, minimum=10)
    say = progress or (lambda line: logger.info("%s", line))
    nonempty = np.array([bool(d.strip()) for d in docs], dtype=bool) & ~non_answers(docs)
    if not nonempty.any():
        raise ValueError(
            f"{caller}: no non-empty comment among the {len(docs)} texts (non-answers such "
            "as 'nothing' do not count); there is nothing to discover."
        )
    # one row per distinct comment (case and spacing ignored)
    keys = pd.Series([" ".join(d.lower().split()) for d in docs])
    key_codes, uniques = pd.factorize(keys.where(nonempty))
    first_row = np.full(len(uniques), -1, dtype=np.int64)
    valid = key_codes >= 0
    first_row[key_codes[valid][::-1]] = np.flatnonzero(valid)[::-1]
    rng_fit = np.random.default_rng(random_state)
    fit_rows = first_row
    if first_row.size > max_fit:
        fit_rows = np.sort(rng_fit.choice(first_row, size=max_fit, replace=False))
    from scipy import sparse

    # The package's one TF-IDF (NgramTfidf): words of two or more letters, stop words out.
    # Document frequencies and idf count every copy of a comment (min_df, max_df,
    # max_features and the weights as if the duplicates had been fitted).
    copies = np.bincount(key_codes[valid], minlength=len(uniques))
    fit_copies = copies[key_codes[fit_rows]].astype(float)
    fit_texts = [docs[r] for r in fit_rows]
    vectorizer = NgramTfidf(
        word_ngrams=tuple(ngram_range),
        char_ngrams=None,
        tokens="letters",
        stop_words=stop_words,
        min_df=min_df,
        max_df=max_df,
        max_features=max_features,
        names=True,
    ).fit(fit_texts, sample_weight=fit_copies)
    if vectorizer.n_features_ == 0:
        raise ValueError(
            f"{caller}: no term occurs in at least min_df={min_df} of the "
            f"{int(copies.sum())} comments (and in at most max_df={max_df:g} of them); lower "
            "min_df or add comments."
        )
    x_fit = vectorizer.transform(fit_texts)
    # a distinct comment written c times counts c times: scaling its row by sqrt(c) gives
    # NMF's squared error the weight of c identical rows
    x_fit = sparse.diags(np.sqrt(fit_copies)) @ x_fit
    x = x_fit[np.asarray(x_fit.getnnz(axis=1) > 0)].tocsr()
    n_docs, n_vocab = x.shape
    # every distinct comment, projected on the vocabulary of the fit
    x_unique = vectorizer.transform([docs[r] for r in first_row])
    has_terms = np.asarray(x_unique.getnnz(axis=1) > 0)
    analysed = np.flatnonzero(valid & has_terms[np.maximum(key_codes, 0)])
    unique_of_analysed = key_codes[analysed]
    limit = min(n_docs - 1, n_vocab - 1, int(round(0.8 * n_docs)) - 1)
    feasible = [k for k in wanted if k <= limit]
    skipped = sorted(set(wanted) - set(feasible))
    if skipped:
        logger.info(
            "%s: %d comments and %d terms cannot support k = %s; skipped.",
            caller,
            n_docs,
            n_vocab,
            ", ".join(map(str, skipped)),
        )
    if not feasible:
        raise ValueError(
            f"{caller}: {n_docs} comments with {n_vocab} vocabulary terms are too few for "
            f"{'n_topics' if n_topics is not None else 'any of the candidates'} "
            f"{wanted}; at most k = {max(limit, 1)} themes can be fitted. Add comments, lower "
            "min_df or ask for fewer themes."
        )
    seed = random_state
    rows, fits = [], {}
    for step, k in enumerate(feasible, start=1):
        say(f"theme discovery: trying {k} themes ({step}/{len(feasible)}) on {n_docs:,} comments")
        model = _fit(x, k, init="nndsvda", seed=0 if seed is None else seed, max_iter=max_iter)
        sims = _stability(
            x, model.components_, k, n_restarts=n_restarts, seed=seed, max_iter=max_iter
        )
        fits[k] = (model, sims)
        rows.append(
            {
                "k": k,
                "stability": float(sims.mean()),
                "stability_sd": float(sims.mean(axis=1).std(ddof=1)) if n_restarts > 1 else np.nan,
                "reconstruction_error": float(model.reconstruction_err_),
            }
        )
        logger.debug("%s: k=%d stability %.3f", caller, k, rows[-1]["stability"])
    selection = pd.DataFrame(
        rows, columns=["k", "stability", "stability_sd", "reconstruction_error"]
    )
    best = int(selection.loc[selection["stability"].idxmax(), "k"])
    selection["chosen"] = selection["k"] == best
    model, sims = fits[best]
    w_unique = model.transform(x_unique)
    w = w_unique[unique_of_analysed]  # one row per analysed comment, duplicates included
    n_docs = int(analysed.size)
    h = model.components_
    vocab = vectorizer.get_feature_names_out()

    # order themes by size (then by total weight) so topic 1 is the largest
    assigned = np.where(w.max(axis=1) > 0, w.argmax(axis=1), -1)
    sizes = np.array([(assigned == j).sum() for j in range(best)])
    order = np.lexsort((-w.sum(axis=0), -sizes))
    rank_of = {old: new + 1 for new, old in enumerate(order)}

    topic_rows, term_rows, quote_rows = [], [], []
    id_array = np.array(id_values, dtype=object)
    for old in order:
        topic = rank_of[old]
        top = np.argsort(-h[old], kind="stable")[:n_terms]
        top = [t for t in top if h[old, t] > 0]
        words = [str(vocab[t]) for t in top]
        for r, t in enumerate(top, start=1):
            term_rows.append(
                {"topic": topic, "rank": r, "term": str(vocab[t]), "weight": float(h[old, t])}
            )
        members = np.flatnonzero(assigned == old)
        best_members = members[np.argsort(-w[members, old], kind="stable")][:n_quotes]
        for r, m in enumerate(best_members, start=1):
            quote_rows.append(
                {
                    "topic": topic,
                    "rank": r,
                    id_name: id_array[analysed[m]],
                    "weight": float(w[m, old]),
                    "text": docs[analysed[m]],
                }
            )
        topic_rows.append(
            {
                "topic": topic,
                "label": " / ".join(words[:3]),
                "top_terms": ", ".join(words),
                "size": int(sizes[old]),
                "share": float(sizes[old] / n_docs),
                "stability": float(sims[:, old].mean()),
            }
        )
    topics = pd.DataFrame(
        topic_rows, columns=["topic", "label", "top_terms", "size", "share", "stability"]
    )
    terms = pd.DataFrame(term_rows, columns=["topic", "rank", "term", "weight"])
    quotes = pd.DataFrame(quote_rows, columns=["topic", "rank", id_name, "weight", "text"])
    if redact is not None and len(quotes):
        quotes["text"] = pd.Series(redact(quotes["text"]), index=quotes.index).astype(str)

    topic_per_row = pd.array([pd.NA] * len(docs), dtype="Int64")
    weight_per_row = np.zeros(len(docs))
    for m, row in enumerate(analysed):
        if assigned[m] >= 0:
            topic_per_row[row] = rank_of[assigned[m]]
            weight_per_row[row] = w[m, assigned[m]]
    assignments = pd.DataFrame(
        {id_name: id_values, "topic": topic_per_row, "weight": weight_per_row}
    )
    logger.info(
        "%s: %d themes chosen among k = %s (stability %.3f) from %d comments.",
        caller,
        best,
        ", ".join(map(str, feasible)),
        float(selection.loc[selection["chosen"], "stability"].iloc[0]),
        n_docs,
    )
    return ThemeDiscovery(
        k=best,
        selection=selection,
        topics=topics,
        terms=terms,
        quotes=quotes,
        assignments=assignments,
        n_documents=int(n_docs),
        n_terms=int(n_vocab),
        criterion=_CRITERION
        if n_topics is None
        else f"k fixed at {n_topics} by the caller; stability reported",
        id_name=id_name,
    )
