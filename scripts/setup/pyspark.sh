# Sourced by scripts/test. Installs PySpark into a virtual environment for
# the Spark integration test (tests/spark.rs) and exports the environment's
# python as AUTHSWEEP_SPARK_PYTHON (spark-submit is beside it).
#
# PySpark 3.5.x: the line most clusters run; it supports Java 8, 11 and 17
# (4.x needs Java 17 or later). Changing the pin makes a new venv beside the
# old one.
#
# The venv lives in the user's cache rather than target/, so worktrees and
# fresh clones on one machine share the ~300 MB install (target/ when there
# is no home); AUTHSWEEP_SPARK_VENV puts it elsewhere. Quick when already
# there; fails loudly when it cannot install.

authsweep_pyspark_version=3.5.9
authsweep_spark_cache=${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}
authsweep_spark_venv=${AUTHSWEEP_SPARK_VENV:-${authsweep_spark_cache:-$PWD/target}/authsweep/pyspark-$authsweep_pyspark_version}

if [ ! -e "$authsweep_spark_venv/.installed" ]; then
  if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
    echo "scripts/setup/pyspark.sh: Spark needs Java 8, 11 or 17: install a JDK or set JAVA_HOME" >&2
    return 1
  fi
  mkdir -p "$(dirname "$authsweep_spark_venv")"
  # One install at a time (several worktrees may run their tests at once);
  # the marker is written last, so an interrupted install is redone.
  (
    flock 9
    if [ ! -e "$authsweep_spark_venv/.installed" ]; then
      echo "scripts/setup/pyspark.sh: installing pyspark==$authsweep_pyspark_version into $authsweep_spark_venv" >&2
      rm -rf "$authsweep_spark_venv"
      python3 -m venv "$authsweep_spark_venv" &&
        "$authsweep_spark_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
          "pyspark==$authsweep_pyspark_version" &&
        "$authsweep_spark_venv/bin/python" -c 'import pyspark' &&
        touch "$authsweep_spark_venv/.installed"
    fi
  ) 9>"$authsweep_spark_venv.lock" || {
    echo "scripts/setup/pyspark.sh: could not install pyspark==$authsweep_pyspark_version (needs python3 with venv, and PyPI)" >&2
    return 1
  }
fi
export AUTHSWEEP_SPARK_PYTHON="$authsweep_spark_venv/bin/python"
unset authsweep_pyspark_version authsweep_spark_cache authsweep_spark_venv
