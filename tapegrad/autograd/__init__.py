"""Gradients as values: ``grad`` and ``backward`` (like ``torch.autograd``'s), ``gradcheck``,
``gradgradcheck``, the functional transforms of ``tapegrad.func`` (``autograd.functional``),
``Function``, a custom op in PyTorch's style, anomaly detection (``detect_anomaly``) and an
op-level ``profiler``."""

from tapegrad.autograd import functional, graph, profiler
from tapegrad.autograd.anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from tapegrad.autograd.function import Function, FunctionCtx
from tapegrad.autograd.grad import backward, grad
from tapegrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from tapegrad.legacy import Variable

__all__ = ["grad", "backward", "gradcheck", "gradgradcheck", "GradcheckError", "functional",
           "Function", "FunctionCtx", "Variable", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "profiler", "graph"]
