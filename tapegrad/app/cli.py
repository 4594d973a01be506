"""The ``tapegrad`` command: ``tapegrad train`` trains a network, ``tapegrad eval`` scores one,
``tapegrad sample`` writes text with a character model, ``tapegrad docs`` serves the
documentation site.

Errors (an unknown dataset, a missing MNIST folder, a bad flag value, an unwritable ``--out``)
are one line on stderr naming the flag, and exit status 2, never a traceback. A loss that is
not finite is exit status 1; a run stopped by Ctrl-C or SIGTERM saves a checkpoint, says in one
line how to resume it, and exits with 130, as shells do for an interrupted command.

Under ``mpiexec``, those two end every rank at the same step, and rank 0 says so. Any other
failure may be one rank's alone while the others wait for it in a collective: that rank names
itself and ends the whole job (MPI's abort).
"""

from __future__ import annotations

import argparse
import functools
import math
import sys

import tapegrad as tg
from tapegrad import distributed as dist
from tapegrad.app.config import DEFAULT_LR, TASK_DEFAULTS, TASKS, TrainConfig
from tapegrad.app.docs import DocsUnavailable, add_docs_command, serve
from tapegrad.app.evaluate import evaluate_checkpoint
from tapegrad.app.sample import sample_checkpoint
from tapegrad.app.signals import stop_requests
from tapegrad.app.train import NonFiniteLoss, TrainingInterrupted, resume, train

# With --resume the run goes on with its own settings; only where it reads and writes may change.
RESUME_ALLOWS = {"out", "data_dir", "no_progress", "threads"}
EXIT_ERROR, EXIT_NON_FINITE, EXIT_INTERRUPTED = 2, 1, 130


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is the one line that says what is wrong."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _int_at_least(minimum: int, words: str):
    """An argparse type: an int of at least ``minimum``, refused in ``words`` otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {words}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {words}, got {text}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive integer")
_seed = _int_at_least(0, "an integer >= 0")


def _learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    # nan and inf parse as floats, but no step can be taken with them
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``tapegrad`` and its ``train``, ``eval`` and ``sample`` commands.

    >>> build_parser().parse_args(["train", "--epochs", "3"]).epochs
    3
    """
    parser = _OneLineParser(prog="tapegrad", description="tapegrad: autodiff for NumPy.")
    parser.add_argument("--version", action="version", version=f"tapegrad {tg.__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_OneLineParser)
    _add_train_command(commands)
    _add_eval_command(commands)
    _add_sample_command(commands)
    add_docs_command(commands)
    return parser


def _add_train_command(commands) -> None:
    trainer = commands.add_parser(
        "train", help="train a network on a bundled dataset",
        description="Train a network on a dataset; print a table per epoch and write "
                    "checkpoint.npz and best.npz (after every epoch), metrics.csv and "
                    "curves.png to --out. Ctrl-C saves a checkpoint that --resume continues.",
        # absent flags stay absent, so --resume can tell which ones were given
        argument_default=argparse.SUPPRESS)
    defaults = TrainConfig()
    trainer.add_argument("--task", choices=list(TASKS),
                         help="classify: a classifier on --dataset; text: a character-level "
                              f"language model on {TASK_DEFAULTS['text']['dataset']} (Python's "
                              "own documentation, pydoc's topics), by default --model "
                              f"{TASK_DEFAULTS['text']['model']} for "
                              f"{TASK_DEFAULTS['text']['epochs']} epochs "
                              f"(default: {defaults.task})")
    trainer.add_argument("--dataset", choices=["digits", "moons", "mnist",
                                               TASK_DEFAULTS["text"]["dataset"]],
                         help="digits: scikit-learn's 8x8 digits; moons: two interleaved "
                              f"half circles; mnist: the IDX files in --data-dir; "
                              f"{TASK_DEFAULTS['text']['dataset']}: the text of --task text "
                              f"(default: {defaults.dataset})")
    trainer.add_argument("--data-dir",
                         help="folder with the MNIST IDX files (plain or .gz); never downloads")
    trainer.add_argument("--model", choices=["mlp", "cnn", "lstm", "transformer"],
                         help="mlp: two hidden layers (128, 64); cnn: two conv+pool blocks; "
                              "for --task text, lstm: one LSTM layer of 256; transformer: "
                              "two causal Transformer layers of width 128 "
                              f"(default: {defaults.model})")
    trainer.add_argument("--epochs", type=_positive_int,
                         help=f"passes over the training data (default: {defaults.epochs})")
    trainer.add_argument("--batch-size", type=_positive_int,
                         help=f"examples per gradient step (default: {defaults.batch_size})")
    trainer.add_argument("--lr", type=_learning_rate,
                         help=f"learning rate, finite and > 0 (default: {DEFAULT_LR['adam']} "
                              f"for adam, {DEFAULT_LR['sgd']} for sgd)")
    trainer.add_argument("--optimizer", choices=["sgd", "adam"],
                         help=f"sgd (momentum 0.9) or adam (default: {defaults.optimizer})")
    trainer.add_argument("--seed", type=_seed,
                         help="seed for initialisation, shuffling and the split "
                              f"(default: {defaults.seed})")
    trainer.add_argument("--out",
                         help="folder for the checkpoints, metrics.csv and curves.png, created "
                              f"if missing (default: {defaults.out}; with --resume, the "
                              "checkpoint's folder)")
    trainer.add_argument("--resume", metavar="CHECKPOINT",
                         help="go on with the run saved in CHECKPOINT, with its own settings, "
                              "to the same result as if it had never stopped")
    trainer.add_argument("--no-progress", action="store_true",
                         help="no progress bar (there is none when the output is not a "
                              "terminal), only the table")
    trainer.add_argument("--threads", type=_positive_int,
                         help="threads for NumPy's matrix products, as tg.set_num_threads "
                              "(needs threadpoolctl; default: the BLAS's own count, one per "
                              "core)")


def _add_eval_command(commands) -> None:
    evaluator = commands.add_parser(
        "eval", help="score a checkpoint on its test set",
        description="Load a checkpoint written by tapegrad train, print its accuracy, loss and "
                    "a per-class table on the run's test set, and draw the confusion matrix "
                    "(with matplotlib) next to the checkpoint or into --out.")
    evaluator.add_argument("checkpoint", help="checkpoint.npz or best.npz of a run")
    evaluator.add_argument("--out", default=None,
                           help="folder for the confusion-matrix picture "
                                "(default: the checkpoint's folder)")
    evaluator.add_argument("--data-dir", default=None,
                           help="where the MNIST IDX files are now, if they moved")


def _add_sample_command(commands) -> None:
    sampler = commands.add_parser(
        "sample", help="write text with a model of tapegrad train --task text",
        description="Load a checkpoint of tapegrad train --task text and print the prompt "
                    "followed by the characters the model draws, one at a time.")
    sampler.add_argument("checkpoint", help="checkpoint.npz or best.npz of a text run")
    sampler.add_argument("--prompt", default="The ",
                         help="the text to go on from (default: %(default)r)")
    sampler.add_argument("--length", type=_int_at_least(0, "an integer >= 0"), default=300,
                         help="characters to add (default: %(default)s)")
    sampler.add_argument("--temperature", type=_learning_rate, default=0.8,
                         help="below 1 sharper and safer, above 1 wilder "
                              "(default: %(default)s)")
    sampler.add_argument("--seed", type=_seed, default=0,
                         help="seed of the draws (default: %(default)s)")


def main(argv=None) -> int:
    """Run the ``tapegrad`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    log = functools.partial(print, flush=True)  # a line per epoch, also into a pipe or file
    try:
        if args.command == "docs":
            return serve(args.host, args.port)
        if args.command == "eval":
            evaluate_checkpoint(args.checkpoint, args.out, args.data_dir, log=log)
        elif args.command == "sample":
            log(sample_checkpoint(args.checkpoint, args.prompt, args.length,
                                  args.temperature, args.seed))
        else:
            _train_command(dict(vars(args)), log)
    except TrainingInterrupted as interrupted:
        return _fail(interrupted, EXIT_INTERRUPTED, every_rank=True)
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the first step could stop
        hint = "; resume from the last checkpoint.npz it wrote" if args.command == "train" else ""
        return _fail(f"tapegrad {args.command}: interrupted{hint}", EXIT_INTERRUPTED)
    except NonFiniteLoss as error:
        return _fail(f"tapegrad train: error: {error}", EXIT_NON_FINITE, every_rank=True)
    except (ValueError, FileNotFoundError, ImportError, OSError, DocsUnavailable) as error:
        return _fail(f"tapegrad {args.command}: error: {error}", EXIT_ERROR)
    return 0


def _train_command(given: dict, log) -> None:
    """``tapegrad train``, fresh or resumed, with SIGINT and SIGTERM as stop requests."""
    given.pop("command")
    checkpoint = given.pop("resume", None)
    if checkpoint is not None:
        extra = sorted(set(given) - RESUME_ALLOWS)
        if extra:
            flag = "--" + extra[0].replace("_", "-")
            raise ValueError(f"argument {flag}: not allowed with --resume, which goes on "
                             "with the run's own settings")
    progress = not given.pop("no_progress", False)
    threads = given.pop("threads", None)  # how this process computes, not part of the run
    if threads is not None:
        tg.set_num_threads(threads)
    with stop_requests() as stop:
        if checkpoint is not None:
            resume(checkpoint, out=given.pop("out", None), log=log, stop=stop,
                   progress=progress, **given)
        else:
            task = given.pop("task", "classify")
            train(TrainConfig.for_task(task, **given, progress=progress), log=log, stop=stop)


def _fail(message, status: int, every_rank: bool = False) -> int:
    """Print ``message`` and return ``status``. In a job of several processes, a failure that
    ``every_rank`` met at the same step is said once, by rank 0; any other ends the job."""
    if not (dist.is_initialized() and dist.get_world_size() > 1):
        print(message, file=sys.stderr, flush=True)
        return status
    rank, size = dist.get_rank(), dist.get_world_size()
    if every_rank:
        if rank == 0:
            print(message, file=sys.stderr, flush=True)
        return status
    print(f"rank {rank} of {size}: {message}; stopping all {size} processes", file=sys.stderr,
          flush=True)
    dist.abort(status)
    return status  # not reached: abort ends this process too


if __name__ == "__main__":
    sys.exit(main())
