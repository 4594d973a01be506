"""The text task: a character-level language model trained on a corpus that ships with Python.

The corpus is the Python documentation's topic pages that ``pydoc`` shows offline
(``pydoc_data.topics``, about 465,000 characters of English prose and code in CPython's
standard library), so nothing is downloaded. Its characters, sorted, are the vocabulary; the
first 90% of the text trains and the last 10% validates. An example is a window of
``CONTEXT`` characters and, as labels, the same window shifted by one: each position predicts
the next character.

The models return logits of shape (batch, vocabulary, CONTEXT), the layout
``F.cross_entropy`` takes for a label per position, so ``tapegrad train`` trains, measures
(the test accuracy is next-character accuracy), checkpoints and resumes them exactly as it
does the classifiers. Each model keeps its vocabulary as a buffer, so a checkpoint knows its
characters and ``tapegrad sample`` needs nothing else.
"""

from __future__ import annotations

import math

import numpy as np

import tapegrad as tg
from tapegrad import nn

CORPUS = "python-docs"
CONTEXT = 64
VALIDATION_SHARE = 0.1
MODELS = ("lstm", "transformer")


def load_corpus() -> str:
    """The text of every topic ``pydoc`` knows, in sorted order of the topic names.

    >>> len(load_corpus()) > 100_000
    True
    """
    try:
        from pydoc_data.topics import topics
    except ImportError:  # pragma: no cover - a Python without its pydoc data
        raise FileNotFoundError("--task text trains on pydoc_data.topics, which this "
                                "Python's standard library lacks") from None
    return "".join(topics[name] for name in sorted(topics))


def vocabulary(text: str) -> np.ndarray:
    """The distinct characters of ``text``, sorted, as code points (int64).

    >>> [chr(c) for c in vocabulary("banana")]
    ['a', 'b', 'n']
    """
    return np.array(sorted({ord(character) for character in text}), dtype=np.int64)


def encode(text: str, codes: np.ndarray) -> np.ndarray:
    """Each character's index in the vocabulary ``codes``; a ValueError names any not in it.

    >>> encode("nab", vocabulary("banana")).tolist()
    [2, 0, 1]
    """
    lookup = {chr(code): index for index, code in enumerate(codes)}
    unknown = sorted(set(text) - lookup.keys())
    if unknown:
        raise ValueError(f"characters {''.join(unknown)!r} are not in the model's vocabulary "
                         f"of {len(codes)} characters")
    return np.array([lookup[character] for character in text], dtype=np.int64)


def decode(indices, codes: np.ndarray) -> str:
    """The text of vocabulary indices.

    >>> decode([2, 0, 1], vocabulary("banana"))
    'nab'
    """
    return "".join(chr(codes[index]) for index in np.asarray(indices).ravel())


def windows(indices: np.ndarray, context: int = CONTEXT) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive, non-overlapping windows of ``context`` characters, and each shifted by one
    (the next character at every position) as labels.

    >>> x, y = windows(np.arange(7), context=3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    count = (len(indices) - 1) // context
    x = indices[:count * context].reshape(count, context)
    y = indices[1:count * context + 1].reshape(count, context)
    return x, y


def text_split(dataset: str) -> tuple:
    """Train and validation windows of the corpus, and its vocabulary size:
    ``(x_train, y_train, x_test, y_test, classes)``.

    >>> x_train, y_train, x_test, y_test, classes = text_split(CORPUS)
    >>> x_train.shape[1], classes > 50
    (64, True)
    """
    if dataset != CORPUS:
        raise ValueError(f"--dataset: the text task trains on {CORPUS!r}, not {dataset!r}")
    text = load_corpus()
    codes = vocabulary(text)
    indices = encode(text, codes)
    cut = int(len(indices) * (1 - VALIDATION_SHARE))
    return (*windows(indices[:cut]), *windows(indices[cut:]), len(codes))


def unigram_loss(y_train: np.ndarray, y_test: np.ndarray, classes: int) -> float:
    """The baseline to beat: the validation cross-entropy (nats per character) of predicting
    every character with its frequency in the training text, ignoring all context.

    >>> round(unigram_loss(np.array([0, 1]), np.array([0, 1]), 2), 4)
    0.6931
    """
    counts = np.bincount(y_train.ravel(), minlength=classes) + 1.0  # add-one: no log(0)
    log_probabilities = np.log(counts / counts.sum())
    return float(-log_probabilities[y_test.ravel()].mean())


class CharModel(nn.Module):
    """What both text models share: an embedding of the characters in, logits over the
    vocabulary out in the (batch, vocabulary, positions) layout of ``F.cross_entropy``, and
    the vocabulary itself as a buffer (so a checkpoint carries it).

    >>> CharModel(vocabulary("abc"), 8, 16).vocabulary.tolist()
    [97, 98, 99]
    """

    def __init__(self, codes: np.ndarray, embedding_size: int, features: int) -> None:
        super().__init__()
        self.register_buffer("vocabulary", tg.tensor(np.asarray(codes, dtype=np.int64)))
        self.embedding = nn.Embedding(len(codes), embedding_size)
        self.head = nn.Linear(features, len(codes))

    def logits(self, features) -> tg.Tensor:
        return self.head(features).permute(0, 2, 1)

    def step(self, indices, state=None) -> tuple:
        """The next character's logits after ``indices`` (1, n) that follow ``state`` (what an
        earlier step returned, None at the start), and the state after them."""
        raise NotImplementedError(f"{type(self).__name__} must define step")


class CharLSTM(CharModel):
    """Characters -> embedding -> LSTM -> logits of the next character at every position.

    >>> model = CharLSTM(vocabulary("abc"), hidden_size=16)
    >>> model(np.zeros((2, 5), dtype=np.int64)).shape
    (2, 3, 5)
    """

    def __init__(self, codes: np.ndarray, hidden_size: int = 256, embedding_size: int = 64
                 ) -> None:
        super().__init__(codes, embedding_size, hidden_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, batch_first=True)

    def forward(self, indices) -> tg.Tensor:
        features, _ = self.lstm(self.embedding(_as_indices(indices)))
        return self.logits(features)

    def step(self, indices, state=None) -> tuple:
        """The LSTM's (h, c) is the state: each new character costs one time step.

        >>> model = CharLSTM(vocabulary("abc"), hidden_size=4)
        >>> logits, (h, c) = model.step(np.array([[0, 1]]))
        >>> logits.shape, h.shape
        ((1, 3), (1, 1, 4))
        """
        features, state = self.lstm(self.embedding(_as_indices(indices)), state)
        return self.head(features[:, -1]), state


class CharTransformer(CharModel):
    """Characters -> embedding plus a learned position embedding -> causal Transformer
    encoder (pre-norm) -> logits of the next character at every position.

    >>> model = CharTransformer(vocabulary("abc"), d_model=16, nhead=2, num_layers=1)
    >>> model(np.zeros((2, 5), dtype=np.int64)).shape
    (2, 3, 5)
    """

    def __init__(self, codes: np.ndarray, d_model: int = 128, nhead: int = 4,
                 num_layers: int = 2, context: int = CONTEXT) -> None:
        super().__init__(codes, d_model, d_model)
        self.position = nn.Parameter(tg.randn(context, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model,
                                           dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model))

    def forward(self, indices) -> tg.Tensor:
        indices = _as_indices(indices)
        length = indices.shape[1]
        if length > self.position.shape[0]:
            raise ValueError(f"CharTransformer: at most {self.position.shape[0]} characters "
                             f"of context, got {length}")
        features = self.embedding(indices) + self.position[:length]
        return self.logits(self.encoder(features, is_causal=True))


    def step(self, indices, state=None) -> tuple:
        """The last ``CONTEXT`` characters are the state: each step reads them all again.

        >>> model = CharTransformer(vocabulary("abc"), d_model=8, nhead=2, num_layers=1)
        >>> logits, seen = model.step(np.array([[0, 1]]))
        >>> logits.shape, seen.tolist()
        ((1, 3), [[0, 1]])
        """
        seen = _as_indices(indices) if state is None else np.concatenate(
            [state, _as_indices(indices)], axis=1)
        seen = seen[:, -self.position.shape[0]:]
        return self.forward(seen)[:, :, -1], seen


def _as_indices(indices) -> np.ndarray:
    return np.asarray(indices.data if isinstance(indices, tg.Tensor) else indices)


def build_text_model(name: str, classes: int) -> CharModel:
    """The text task's model: ``lstm`` or ``transformer``, over the corpus's vocabulary (a
    checkpoint's own vocabulary replaces it when loaded).

    >>> build_text_model("lstm", len(vocabulary(load_corpus()))).lstm.hidden_size
    256
    """
    codes = vocabulary(load_corpus())
    if len(codes) != classes:  # a checkpoint from another corpus: its buffer will say
        codes = np.zeros(classes, dtype=np.int64)
    if name == "lstm":
        return CharLSTM(codes)
    if name == "transformer":
        return CharTransformer(codes)
    raise ValueError(f"--model: unknown model {name!r} for --task text; choose lstm or "
                     "transformer")


def generate(model: CharModel, prompt: str, length: int = 200, temperature: float = 1.0,
             seed: int = 0) -> str:
    """``prompt`` followed by ``length`` characters drawn one at a time from the model's
    next-character distribution (sharper below temperature 1, flatter above).

    >>> model = CharLSTM(vocabulary("ab"), hidden_size=4)
    >>> text = generate(model, "ab", length=5)
    >>> len(text), set(text) <= {"a", "b"}
    (7, True)
    """
    if not temperature > 0 or not math.isfinite(temperature):
        raise ValueError(f"--temperature must be a finite positive number, got {temperature}")
    codes = model.vocabulary.data
    if not prompt:
        raise ValueError("--prompt must have at least one character")
    rng = np.random.default_rng(seed)
    drawn = []
    was_training = model.training
    model.eval()
    with tg.no_grad():
        logits, state = model.step(encode(prompt, codes)[None, :])
        for _ in range(length):
            scores = logits.data[0].astype(np.float64) / temperature
            probabilities = np.exp(scores - scores.max())
            drawn.append(int(rng.choice(len(codes), p=probabilities / probabilities.sum())))
            logits, state = model.step(np.array([drawn[-1:]]), state)
    model.train(was_training)
    return prompt + decode(drawn, codes)
