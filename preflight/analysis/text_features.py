"""Free text as a few dense numeric columns for the shared models.

A ``text`` column (the semantics stage's) is never one-hot encoded. For the label,
leakage and learnability models it becomes TF-IDF term weights (words and word
pairs) projected onto :data:`COMPONENTS` latent directions (truncated SVD, seeded),
so a table of review text and a sentiment label gets its label-noise finding like
any table of measurements. The vocabulary is fitted on at most :data:`FIT_ROWS`
rows; every row is then transformed with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Latent directions kept per text column: enough for topic and sentiment, few
# enough that a text column does not outweigh the other features in the models.
COMPONENTS = 20
FIT_ROWS = 20_000
# Words seen in fewer documents than this are noise for the models (and the memory).
MIN_DOCUMENTS = 2


def fit_text(series: pd.Series, seed: int = 0) -> Any | None:
    """A fitted TF-IDF + SVD pipeline for ``series``, or None when it has too few words."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    docs = as_documents(series)
    if docs.size > FIT_ROWS:
        docs = docs[np.random.default_rng(seed).choice(docs.size, FIT_ROWS, replace=False)]
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=MIN_DOCUMENTS, sublinear_tf=True)
    try:
        vocabulary = tfidf.fit(docs).vocabulary_
    except ValueError:  # no word seen in two documents
        return None
    k = min(COMPONENTS, len(vocabulary) - 1, docs.size - 1)
    if k < 1:
        return None
    model = make_pipeline(tfidf, TruncatedSVD(n_components=k, random_state=seed))
    return model.fit(docs)


def as_documents(series: pd.Series) -> np.ndarray:
    """The cells as strings, a missing cell as the empty document."""
    return np.asarray(series.astype(object).where(series.notna(), "").astype(str).to_numpy(), dtype=object)


def text_block(model: Any, series: pd.Series) -> np.ndarray:
    """The latent columns of ``series`` under a fitted ``model`` (rows x components)."""
    block: np.ndarray = np.asarray(model.transform(as_documents(series)), dtype=np.float64)
    return block
