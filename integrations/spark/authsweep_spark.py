"""Run authsweep over a large archive of logs on Apache Spark.

The driver lists the input files through Hadoop's FileSystem API (so
``hdfs://``, ``s3a://`` and any other URI the cluster is set up for work
as well as local paths), balances them by size into shards, and has the
executors run ``authsweep scan --save-state -`` once per shard. The shard
states are merged in a tree of ``authsweep merge`` runs, also on the
executors; the final state comes back to the driver, is written where
``--state-out`` says, and ``authsweep report`` turns it into the report
with the flags given after ``--``.

The authsweep binary (and authsweep.toml, if any) reach the executors
through Spark's file distribution: ``spark-submit --files``, or
``--authsweep PATH`` on the driver. Nothing here parses logs: every byte is
read by authsweep.

A shard that fails fails the job, naming its files and quoting authsweep's
message; no report is written from part of the input. A retried task
rescans its whole shard, and each shard's state is merged exactly once, so
retries never count a line twice.

Exit status: that of ``authsweep report`` when the job ran (0, 1 under
``--fail-on``, 3 for skipped input), 2 for a usage error, 4 when a shard or
a merge failed (nothing written).

See README.md beside this file for the commands.
"""

from __future__ import annotations

import argparse
import heapq
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# Exit codes of this job (those of authsweep report pass through).
EXIT_USAGE = 2
EXIT_JOB_FAILED = 4

# Marks the message of a failed shard or merge inside Spark's error text,
# which wraps it in the Python and Java stack traces of every attempt.
FAILURE_MARK = "authsweep-spark failure: "

# Characters that Hadoop's input path syntax (comma-separated lists and
# glob patterns) would take as syntax when fetching a remote file.
HADOOP_PATH_SYNTAX = set(",{}[]*?\\")

# How much of authsweep's standard error a failure message quotes, and how
# many of the shard's files it lists.
STDERR_QUOTE_CHARS = 4000
MAX_LISTED = 100


@dataclass(frozen=True)
class InputFile:
    """One file to scan, as the driver listed it."""

    # The name authsweep records (and the report shows): the local path for
    # files on the local file system, the full URI for any other.
    name: str
    # The qualified Hadoop URI (file:/..., hdfs://..., s3a://...).
    uri: str
    size: int
    # Modification time in milliseconds: authsweep infers the year of
    # yearless syslog lines from it, so a fetched copy keeps it.
    mtime_ms: int
    # Readable in place by the executors (file: URIs); otherwise the
    # executor fetches it to a temporary directory first.
    local: bool


# What a shard or a merge hands on: a state, and authsweep's notes on the
# input it skipped (only under --allow-skipped).
Partial = tuple[bytes, tuple[str, ...]]


class JobError(Exception):
    """A shard or a merge failed; the message says which and why."""


class UsageError(Exception):
    """The command line or the input list is wrong."""


# --- Command line -----------------------------------------------------------


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Split the job's own options from the report flags after ``--``."""
    argv = list(argv)
    report_flags: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, report_flags = argv[:cut], argv[cut + 1 :]
    p = argparse.ArgumentParser(
        prog="authsweep_spark.py",
        description="Scan log files with authsweep on Spark: one scan per "
        "shard, states merged on the executors, report on the driver.",
        epilog="Flags after -- go to `authsweep report` (e.g. --roster FILE "
        "--format json -o FILE --tickets DIR). Inputs are files, directories "
        "(read recursively) or glob patterns, local or any Hadoop URI.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory or glob; local path or URI")
    p.add_argument(
        "--authsweep",
        default="authsweep",
        metavar="BIN",
        help="the authsweep binary: its path on the driver (shipped to the executors), or the "
        "name it was shipped under with spark-submit --files (default: authsweep)",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="authsweep.toml for every scan and the report, shipped to the executors "
        "(default: ./authsweep.toml on the driver when it exists, as authsweep does)",
    )
    p.add_argument(
        "--shards",
        type=int,
        metavar="N",
        help="number of shards (default: twice the default parallelism, at most one per file)",
    )
    p.add_argument(
        "--fan-in",
        type=int,
        default=8,
        metavar="K",
        help="states merged by one `authsweep merge` in the merge tree (default: 8)",
    )
    p.add_argument(
        "--state-out",
        metavar="PATH",
        help="write the final state here (local path on the driver, or a Hadoop URI)",
    )
    p.add_argument("--no-report", action="store_true", help="only write --state-out; run no report")
    p.add_argument(
        "--scan-flag",
        action="append",
        default=[],
        metavar="FLAG",
        help="a flag for every `authsweep scan`, e.g. --scan-flag=--tz=UTC (repeatable)",
    )
    p.add_argument(
        "--allow-skipped",
        action="store_true",
        help="keep going when authsweep cannot read some input of a shard (it exits 3): the "
        "job prints what was skipped and exits 3 after the report; by default such a shard fails the job",
    )
    p.add_argument(
        "--fetch",
        action="store_true",
        help="copy local files to the executors' temporary directories like remote "
        "ones (tests the remote path without a cluster)",
    )
    args = p.parse_args(argv)
    if args.shards is not None and args.shards < 1:
        p.error("--shards: need at least one")
    if args.fan_in < 2:
        p.error("--fan-in: need at least two")
    if args.no_report and not args.state_out:
        p.error("--no-report needs --state-out")
    for flag in args.scan_flag + report_flags:
        if flag == "--config" or flag.startswith("--config="):
            p.error("give --config to the job (before --): it is shipped to the executors for the scans")
    if args.config is None and os.path.isfile("authsweep.toml"):
        args.config = "authsweep.toml"
    return args, report_flags


# --- Listing and sharding (driver) ------------------------------------------


def list_inputs(spark, inputs: Sequence[str], fetch_all: bool) -> list[InputFile]:
    """Every regular file under the inputs, through Hadoop's FileSystem API.

    Directories are read recursively and every file in them is taken, hidden
    ones included, as ``authsweep scan DIR`` does (Spark's own file sources
    would leave out names starting with ``_`` or ``.``). Only sizes and
    modification times are read here, never content.
    """
    jvm = spark._jvm
    conf = spark._jsc.hadoopConfiguration()
    files = {}
    for text in inputs:
        path = jvm.org.apache.hadoop.fs.Path(text)
        fs = path.getFileSystem(conf)
        statuses = fs.globStatus(path)
        if not statuses:
            raise UsageError(f"{text}: no such file or directory")
        for st in statuses:
            if st.isDirectory():
                found = fs.listFiles(st.getPath(), True)
                while found.hasNext():
                    f = found.next()
                    files.setdefault(str(f.getPath()), _input_file(f, fetch_all))
            else:
                files.setdefault(str(st.getPath()), _input_file(st, fetch_all))
    if not files:
        raise UsageError("no files in " + ", ".join(inputs))
    return sorted(files.values(), key=lambda f: f.name)


def _input_file(status, fetch_all: bool) -> InputFile:
    path = status.getPath()
    uri = str(path)
    local = path.toUri().getScheme() == "file" and not fetch_all
    return InputFile(
        name=path.toUri().getPath() if local else uri,
        uri=uri,
        size=int(status.getLen()),
        mtime_ms=int(status.getModificationTime()),
        local=local,
    )


def balance(files: Sequence[InputFile], n: int) -> list[list[InputFile]]:
    """Split files into at most n shards of similar total size.

    Largest file first into the lightest shard (the LPT rule): no shard ends
    more than one file's size above the ideal. Ties are broken by shard
    index, so the same listing gives the same shards.
    """
    n = max(1, min(n, len(files)))
    heap = [(0, i) for i in range(n)]
    shards: list[list[InputFile]] = [[] for _ in range(n)]
    for f in sorted(files, key=lambda f: (-f.size, f.name)):
        size, i = heapq.heappop(heap)
        shards[i].append(f)
        heapq.heappush(heap, (size + f.size, i))
    for s in shards:
        s.sort(key=lambda f: f.name)
    return [s for s in shards if s]


# --- Running authsweep (executors and driver) --------------------------------


def ship(sc, given: str, what: str) -> str:
    """Make a file of the driver available to every executor.

    Returns the name under which ``SparkFiles.get`` finds it on any node.
    A file already shipped with ``spark-submit --files`` under that name is
    used as it is.
    """
    from pyspark import SparkFiles

    name = os.path.basename(given)
    if os.path.exists(SparkFiles.get(name)):
        return name
    if os.path.isfile(given):
        sc.addFile(os.path.abspath(given))
        return name
    raise UsageError(f"{what} {given}: no such file on the driver, and none shipped under that name with --files")


def shipped(name: str, executable: bool = False) -> str:
    """The local path of a shipped file on this node."""
    from pyspark import SparkFiles

    path = SparkFiles.get(name)
    if not os.path.exists(path):
        raise JobError(f"{FAILURE_MARK}{name}: not found among the files shipped to this node ({path})")
    if executable and not os.access(path, os.X_OK):
        # A shipped file may arrive without its execute bit.
        try:
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        except OSError:
            copy = os.path.join(tempfile.mkdtemp(prefix="authsweep-bin-"), name)
            shutil.copyfile(path, copy)
            os.chmod(copy, 0o700)
            path = copy
    return path


def quote_stderr(err: bytes) -> str:
    """authsweep's standard error for a message: its last lines if long."""
    text = err.decode("utf-8", "replace").strip()
    if len(text) > STDERR_QUOTE_CHARS:
        text = "[...] " + text[-STDERR_QUOTE_CHARS:]
    return text or "(no message)"


def describe_files(files: Sequence[InputFile]) -> str:
    """The shard's files, one per line (the first MAX_LISTED of them)."""
    lines = ["  " + f.name for f in files[:MAX_LISTED]]
    if len(files) > MAX_LISTED:
        lines.append(f"  ... and {len(files) - MAX_LISTED} more")
    return "\n".join(lines)


def scan_shard(
    index: int,
    files: Sequence[InputFile],
    fetched: Iterable[tuple[str, bytes]],
    args: argparse.Namespace,
) -> Iterator[tuple[int, Partial]]:
    """Run one ``authsweep scan --save-state -`` over a shard's files.

    Remote files arrive as ``fetched`` (URI, content) records and are written
    under the task's temporary directory at the relative path that spells
    their URI (``hdfs://nn/logs/a`` becomes ``./hdfs:/nn/logs/a``); authsweep
    runs in that directory and is given the URI itself as the path, so the
    state names the file by its URI.
    """
    from pyspark import TaskContext

    ctx = TaskContext.get()
    cmd = [shipped(args.binary_name, executable=True), "scan", "--files-from", "-", "--save-state", "-"]
    cmd += ["--threads", str(ctx.cpus() if ctx is not None else 1)]
    if args.config_name:
        cmd += ["--config", shipped(args.config_name)]
    cmd += args.scan_flag
    with tempfile.TemporaryDirectory(prefix=f"authsweep-shard-{index}-") as work:
        remote = {f.uri: f for f in files if not f.local}
        for uri, content in fetched:
            f = remote.pop(uri, None)
            if f is None:
                raise JobError(f"{FAILURE_MARK}shard {index}: fetched {uri}, which the listing does not have")
            _write_copy(work, f, content)
        for f in remote.values():
            if f.size != 0:
                raise JobError(
                    f"{FAILURE_MARK}shard {index}: {f.uri} was listed but not fetched "
                    "(deleted or renamed while the job ran?)"
                )
            _write_copy(work, f, b"")  # empty files are not fetched
        listing = "".join(f.name + "\n" for f in files).encode()
        done = subprocess.run(cmd, input=listing, capture_output=True, cwd=work)
    if done.returncode == 0:
        yield index, (done.stdout, ())
    elif done.returncode == 3 and args.allow_skipped:
        yield index, (done.stdout, (done.stderr.decode("utf-8", "replace"),))
    else:
        what = "could not read some of its input" if done.returncode == 3 else f"exited {done.returncode}"
        hint = "\n(--allow-skipped keeps going past unreadable input)" if done.returncode == 3 else ""
        raise JobError(
            f"{FAILURE_MARK}shard {index} of {len(files)} files failed: authsweep scan {what}.\n"
            f"Files of the shard:\n{describe_files(files)}\n"
            f"authsweep said:\n{quote_stderr(done.stderr)}{hint}"
        )


def _write_copy(work: str, f: InputFile, content: bytes) -> None:
    target = os.path.join(work, f.uri)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as out:
        out.write(content)
    ns = f.mtime_ms * 1_000_000
    os.utime(target, ns=(ns, ns))


def merge_partials(key: int, parts: list[Partial], binary_name: str) -> tuple[int, Partial]:
    """Merge states with one ``authsweep merge - -o -``, keeping their notes."""
    notes = tuple(n for _, ns in parts for n in ns)
    if len(parts) == 1:
        return key, (parts[0][0], notes)
    done = subprocess.run(
        [shipped(binary_name, executable=True), "merge", "-", "-o", "-"],
        input=b"".join(state for state, _ in parts),
        capture_output=True,
    )
    if done.returncode != 0:
        raise JobError(
            f"{FAILURE_MARK}merging {len(parts)} states (group {key}) failed: authsweep merge "
            f"exited {done.returncode}:\n{quote_stderr(done.stderr)}"
        )
    return key, (done.stdout, notes)


# --- The job (driver) ---------------------------------------------------------


def hadoop_escape(uri: str) -> str:
    """A URI as one entry of Hadoop's comma-separated input path list."""
    if any(c in HADOOP_PATH_SYNTAX for c in uri):
        raise UsageError(
            f"{uri}: a remote file whose name holds one of {''.join(sorted(HADOOP_PATH_SYNTAX))} "
            "cannot be fetched through Spark's input paths; rename it or make it readable "
            "on every node as a local path"
        )
    return uri


def shard_rdd(sc, shards: list[list[InputFile]], args: argparse.Namespace):
    """One partition per shard, each yielding (shard index, partial result).

    Each task carries only its own shard's file list.
    """
    parts = []
    in_place = [(i, s) for i, s in enumerate(shards) if all(f.local or f.size == 0 for f in s)]
    if in_place:
        rdd = sc.parallelize(in_place, len(in_place))
        parts.append(rdd.flatMap(lambda shard: scan_shard(shard[0], shard[1], (), args)))
    for i, s in enumerate(shards):
        remote = [f for f in s if not f.local and f.size > 0]
        if not remote:
            continue
        # Spark reads the files on an executor through Hadoop (with the
        # cluster's credentials, near the data where it can); coalesce(1)
        # makes the whole shard one task.
        paths = ",".join(hadoop_escape(f.uri) for f in remote)
        rdd = sc.binaryFiles(paths).coalesce(1)
        parts.append(rdd.mapPartitions(lambda it, i=i, s=s: scan_shard(i, s, it, args)))
    return parts[0] if len(parts) == 1 else sc.union(parts)


def merge_tree(partials, n: int, args: argparse.Namespace):
    """Merge n keyed partial results in levels of --fan-in until one is left.

    Each level sends results i // fan_in to one partition and runs one
    ``authsweep merge`` there, on an executor; the states travel as bytes
    through Spark's shuffle.
    """
    fan_in, binary_name = args.fan_in, args.binary_name
    while n > 1:
        groups = -(-n // fan_in)

        def merge_partition(items: Iterator[tuple[int, Partial]]) -> Iterator[tuple[int, Partial]]:
            items = sorted(items, key=lambda kv: kv[0])
            if items:
                yield merge_partials(items[0][0] // fan_in, [p for _, p in items], binary_name)

        partials = partials.partitionBy(groups, lambda k: k // fan_in).mapPartitions(merge_partition)
        n = groups
    return partials


def write_state(spark, state: bytes, target: str) -> None:
    """Write the final state to a local path of the driver, or to a URI.

    Readable by its owner only, as authsweep writes states: it names
    accounts and addresses.
    """
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(target)
    scheme = path.toUri().getScheme()
    if scheme is None or scheme == "file":
        local = target if scheme is None else path.toUri().getPath()
        fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(state)
        return
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    out = fs.create(path, True)
    try:
        # Object stores ignore permissions; HDFS applies them.
        fs.setPermission(path, jvm.org.apache.hadoop.fs.permission.FsPermission("600"))
        out.write(bytearray(state))
    finally:
        out.close()


def failure_message(error: Exception) -> str:
    """The message of a failed shard or merge, out of Spark's error text."""
    text = str(error)
    start = text.find(FAILURE_MARK)
    if start < 0:
        return text
    text = text[start + len(FAILURE_MARK) :]
    # The message ends where the Java stack trace of the task starts.
    end = text.find("\n\tat ")
    return (text if end < 0 else text[:end]).rstrip()


def run(argv: Sequence[str]) -> int:
    args, report_flags = parse_args(argv)
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    conf = SparkConf()
    if not conf.contains("spark.task.maxFailures"):
        # A shard that fails because authsweep cannot read a file fails the
        # same way again; two attempts still ride out a lost executor.
        conf.set("spark.task.maxFailures", "2")
    spark = SparkSession.builder.appName("authsweep").config(conf=conf).getOrCreate()
    sc = spark.sparkContext
    try:
        args.binary_name = ship(sc, args.authsweep, "--authsweep")
        args.config_name = ship(sc, args.config, "--config") if args.config else None
        files = list_inputs(spark, args.inputs, args.fetch)
        shards = balance(files, args.shards or 2 * sc.defaultParallelism)
        print(
            f"authsweep-spark: {len(files)} files, {sum(f.size for f in files)} bytes, {len(shards)} shards "
            f"(largest {max(sum(f.size for f in s) for s in shards)} bytes)",
            file=sys.stderr,
        )
        merged = merge_tree(shard_rdd(sc, shards, args), len(shards), args).collect()
    except UsageError as e:
        print(f"authsweep-spark: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # Spark wraps task errors in Py4JJavaError
        if FAILURE_MARK not in str(e):
            raise
        print(f"authsweep-spark: job failed, no state or report written:\n{failure_message(e)}", file=sys.stderr)
        return EXIT_JOB_FAILED
    if len(merged) != 1:
        raise RuntimeError(f"the merge tree ended with {len(merged)} states, not one")
    state, notes = merged[0][1]
    if args.state_out:
        write_state(spark, state, args.state_out)
    code = 0
    if not args.no_report:
        with tempfile.TemporaryDirectory(prefix="authsweep-report-") as work:
            # Stopping Spark deletes the shipped files: keep a copy of the
            # binary, and release the cluster while the report is made.
            binary = os.path.join(work, "authsweep")
            shutil.copy2(shipped(args.binary_name, executable=True), binary)
            spark.stop()
            state_file = os.path.join(work, "final.state")
            with open(state_file, "wb") as out:
                out.write(state)
            config = ["--config", args.config] if args.config else []
            code = subprocess.run([binary, "report", state_file, *config, *report_flags]).returncode
    spark.stop()
    if notes:
        # The states record what their shards skipped, and the report lists
        # it under input.skipped (and says it on stderr); without a report,
        # say it here.
        if args.no_report:
            print("authsweep-spark: input skipped under --allow-skipped:", file=sys.stderr)
            for n in notes:
                sys.stderr.write(n if n.endswith("\n") else n + "\n")
        return code or 3
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
