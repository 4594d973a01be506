"""The ops: one ``Function`` subclass per op, grouped by family, working on raw arrays.

Each class's docstring gives its math in one line. Backward formulas use only the saved
arrays, the incoming gradient and array operators, and return one gradient per input; the
engine sums broadcast gradients back to each input's shape, so no op has to.
"""
