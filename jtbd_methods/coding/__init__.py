"""Coding free-text comments into jobs: deductive (codebook indicators) and supervised.

The package has one module per idea: ``matcher`` (the compiled automaton), ``match`` (the
vectorised matching core), ``deductive`` (:func:`code_comments`, :func:`code_study`),
``shares`` (coded matrix, job shares), ``features`` (the hashed TF-IDF), ``supervised``
(:class:`TextCoder`), ``evaluate`` (against a hand coding) and ``quotes``. Import from
``jtbd_methods.coding``; the modules are an implementation detail.

Two complementary coders turn patient comments into the jobs they are evidence of.

* **Deductive** (:func:`code_comments`): every indicator phrase of the codebook is compiled
  once into a single Aho-Corasick automaton [1]_ together with a small lexicon of negation
  cues [2]_, sentiment cues and clause boundaries. One pass over all comments finds every
  phrase; word boundaries, ``*`` wildcards, negation scope and polarity are then resolved with
  vectorised array operations, never with a Python loop over jobs. The result is a long table
  of codes with the evidence span of each.
* **Supervised** (:class:`TextCoder`): learns a coding frame from hand-coded comments (any label
  set) with TF-IDF word and character n-grams, a class-balanced linear SVM, Platt-calibrated
  probabilities and per-label thresholds tuned by inner cross-validation [3]_ [4]_.

:func:`coded_matrix` and :func:`job_shares` turn the long table into the 0/1 matrix that
reliability statistics need and into job frequencies with Wilson intervals.

References
----------
.. [1] Aho, A. V., & Corasick, M. J. (1975). Efficient string matching: an aid to bibliographic
   search. *Communications of the ACM*, 18(6), 333-340.
.. [2] Chapman, W. W., Bridewell, W., Hanbury, P., Cooper, G. F., & Buchanan, B. G. (2001). A
   simple algorithm for identifying negated findings and diseases in discharge summaries.
   *Journal of Biomedical Informatics*, 34(5), 301-310 (NegEx: negation cues, pseudo-negations
   and scope terminated by conjunctions and punctuation).
.. [3] Platt, J. C. (1999). Probabilistic outputs for support vector machines and comparisons to
   regularized likelihood methods. In *Advances in Large Margin Classifiers* (pp. 61-74). MIT
   Press.
.. [4] Lipton, Z. C., Elkan, C., & Naryanaswamy, B. (2014). Optimal thresholding of classifiers
   to maximize F1 measure. In *Machine Learning and Knowledge Discovery in Databases (ECML PKDD
   2014)*, LNCS 8725 (pp. 225-239). Springer.
"""

from __future__ import annotations

from jtbd_methods.coding._common import (
    OVERRULE_THRESHOLD,
    POLARITIES,
    POLARITY_SOURCES,
    SENTIMENT_THRESHOLD,
)
from jtbd_methods.coding.deductive import (
    code_comments,
    code_study,
    polarity_sources,
    question_priors,
    substantive,
)
from jtbd_methods.coding.evaluate import (
    CodingInputError,
    evaluate_coder_file,
    evaluate_codes,
)
from jtbd_methods.coding.features import (
    NgramTfidf,
)
from jtbd_methods.coding.matcher import (
    CompiledCodebook,
    compile_codebook,
)
from jtbd_methods.coding.quotes import (
    job_quotes,
    uncoded_comments,
)
from jtbd_methods.coding.shares import (
    coded_matrix,
    job_shares,
    record_job_shares,
    shares_for_report,
)
from jtbd_methods.coding.supervised import (
    CoderEvaluation,
    TextCoder,
)
from jtbd_methods.lexicon import (
    CLAUSE_WORDS,
    NEGATION_CUES,
    NEGATIVE_CUES,
    POSITIVE_CUES,
    PSEUDO_NEGATIONS,
)

__all__ = [
    "OVERRULE_THRESHOLD",
    "SENTIMENT_THRESHOLD",
    "CLAUSE_WORDS",
    "NEGATION_CUES",
    "NEGATIVE_CUES",
    "POSITIVE_CUES",
    "PSEUDO_NEGATIONS",
    "CoderEvaluation",
    "CodingInputError",
    "CompiledCodebook",
    "POLARITIES",
    "POLARITY_SOURCES",
    "NgramTfidf",
    "TextCoder",
    "code_comments",
    "code_study",
    "coded_matrix",
    "compile_codebook",
    "evaluate_codes",
    "evaluate_coder_file",
    "job_quotes",
    "job_shares",
    "record_job_shares",
    "shares_for_report",
    "polarity_sources",
    "question_priors",
    "substantive",
    "uncoded_comments",
]
