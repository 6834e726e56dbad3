#!/usr/bin/env bash
# Prints the OPENBLAS_CORETYPE to use on this CPU (SkylakeX with AVX-512, Haswell with AVX2+FMA),
# or nothing; the same rule as NumericEnvironment.preferredCoreType, for processes that cannot
# re-execute themselves (swift test). A value already in the environment wins.
# With --env it prints `OPENBLAS_CORETYPE=<type>` (or nothing) for use as `env $(… --env) cmd`.
prefix=""; [ "${1:-}" = "--env" ] && prefix="OPENBLAS_CORETYPE="
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then echo "$prefix$OPENBLAS_CORETYPE"; exit 0; fi
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { [[ " $flags " == *" $1 "* ]]; }
if has avx512f && has avx512bw && has avx512vl && has avx512dq && has avx512cd; then echo "${prefix}SkylakeX"
elif has avx2 && has fma; then echo "${prefix}Haswell"
fi
