"""NumPy's functions on Tensors, with NumPy's own meaning: its argument order (``np.sum(t, 0,
np.float64)`` sums in float64), its defaults (``np.std`` divides by n) and its errors.

One module per family; ``tapegrad.numpy_protocol`` maps each NumPy function to its version
here, or to the ``tg.*`` function (``tapegrad.routines``) when the two mean the same.
"""
