"""The ``tapegrad`` command: ``tapegrad train`` trains a network on a bundled dataset.

Errors (an unknown dataset, a missing MNIST folder, a bad flag value) are one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from tapegrad.app.train import DEFAULT_LR, TrainConfig, train


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is the one line that says what is wrong."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``tapegrad`` and its ``train`` command."""
    parser = _OneLineParser(prog="tapegrad", description="tapegrad: autodiff for NumPy.")
    commands = parser.add_subparsers(dest="command", parser_class=_OneLineParser)
    trainer = commands.add_parser(
        "train", help="train a network on a bundled dataset",
        description="Train a network on a dataset; print a table per epoch and write the "
                    "checkpoint, metrics.csv and curves.png to --out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    defaults = TrainConfig()
    trainer.add_argument("--dataset", choices=["digits", "moons", "mnist"],
                         default=defaults.dataset,
                         help="digits: scikit-learn's 8x8 digits; moons: two interleaved "
                              "half circles; mnist: the IDX files in --data-dir")
    trainer.add_argument("--data-dir", default=None,
                         help="folder with the MNIST IDX files (plain or .gz); never downloads")
    trainer.add_argument("--model", choices=["mlp", "cnn"], default=defaults.model,
                         help="mlp: two hidden layers (128, 64); cnn: two conv+pool blocks")
    trainer.add_argument("--epochs", type=_positive_int, default=defaults.epochs,
                         help="passes over the training data")
    trainer.add_argument("--batch-size", type=_positive_int, default=defaults.batch_size,
                         help="examples per gradient step")
    trainer.add_argument("--lr", type=_positive_float, default=None,
                         help=f"learning rate (default: {DEFAULT_LR['adam']} for adam, "
                              f"{DEFAULT_LR['sgd']} for sgd)")
    trainer.add_argument("--optimizer", choices=["sgd", "adam"], default=defaults.optimizer,
                         help="sgd (momentum 0.9) or adam")
    trainer.add_argument("--seed", type=int, default=defaults.seed,
                         help="seed for initialisation, shuffling and the split")
    trainer.add_argument("--out", default=defaults.out,
                         help="folder for checkpoint.npz, metrics.csv and curves.png")
    trainer.add_argument("--no-progress", action="store_true",
                         help="no progress bar (tqdm), only the table")
    return parser


def main(argv=None) -> int:
    """Run the ``tapegrad`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "train":
        parser.print_help()
        return 0 if args.command is None else 2
    config = TrainConfig(dataset=args.dataset, model=args.model, data_dir=args.data_dir,
                         epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                         optimizer=args.optimizer, seed=args.seed, out=args.out,
                         progress=not args.no_progress)
    try:
        train(config)
    except (ValueError, FileNotFoundError, ImportError, OSError) as error:
        print(f"tapegrad train: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
