"""The Tensor's surface: the methods a user calls, one family a file.

``tapegrad.tensor.Tensor`` is ``TensorCore`` plus these classes' methods. Each method is
written out by hand and applies one ``Function`` of ``tapegrad.ops``, so a reader looking for
``exp`` finds ``def exp`` in ``pointwise.py``.
"""
