"""tapegrad's benchmarks: speed and memory side by side with PyTorch and NumPy, never asserted."""
