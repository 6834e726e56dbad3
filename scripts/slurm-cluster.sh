#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the Slurm executor's tests (`make test` starts
# and stops it; docs/running-on-a-cluster.md). Debian's munge + slurmctld + slurmd + slurm-client,
# configured for a machine without systemd or cgroups.
#   scripts/slurm-cluster.sh start    install if missing (apt; services not started by apt), configure,
#                                     start munged, slurmctld, slurmd; wait until the node is idle
#   scripts/slurm-cluster.sh stop     stop the three daemons by their pid files (never by name)
#   scripts/slurm-cluster.sh status   exit 0 when the node answers
# Idempotent. Needs root: without it `start` says why and exits 3 (the Slurm tests then skip).
set -euo pipefail

RUN=/run/slurm
MUNGE_PID=/run/munge/munged.pid
CTLD_PID=$RUN/slurmctld.pid
SLURMD_PID=$RUN/slurmd.pid
CONF=/etc/slurm/slurm.conf

cannot() { echo "slurm-cluster: cannot start here: $*" >&2; exit 3; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

node_state() { timeout 5 sinfo -h -N -o %T 2>/dev/null | head -1; }

install_packages() {
    local missing=()
    for p in munge slurmctld slurmd slurm-client; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "slurm-cluster: installing ${missing[*]}"
    # The packages' maintainer scripts try to start their services; policy-rc.d exiting 101 forbids it.
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && made_policy=1
    fi
    local status=0
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } || status=$?
    [ -n "$made_policy" ] && rm -f $policy
    [ $status -eq 0 ] || cannot "apt-get install ${missing[*]} failed (status $status)"
}

configure() {
    local host node
    host=$(hostname -s)
    # slurmd -C describes this machine (CPUs, sockets, memory); its UpTime line is not configuration.
    node=$(slurmd -C | head -1)
    mkdir -p /etc/slurm $RUN /var/log/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd
    chown slurm:slurm /var/log/slurm /var/lib/slurm/slurmctld $RUN
    cat > $CONF.new <<CONF
# Written by scripts/slurm-cluster.sh: one node, no systemd, no cgroups, no accounting database.
ClusterName=batchlab
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
KillWait=5
# Start a submitted batch job at once (the default waits up to 3 s to batch scheduling).
SchedulerParameters=batch_sched_delay=0
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    mv $CONF.new $CONF

    mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
    chown munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
    chmod 0700 /etc/munge /var/lib/munge /var/log/munge
    chmod 0755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
}

start() {
    if alive $MUNGE_PID && alive $CTLD_PID && alive $SLURMD_PID && [ "$(node_state)" = idle ]; then
        echo "slurm-cluster: already up"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || cannot "not root (the daemons and apt need root)"
    command -v apt-get >/dev/null || cannot "no apt-get (Debian's slurm-wlm packages are what was tested)"
    install_packages
    configure
    alive $MUNGE_PID || runuser -u munge -- /usr/sbin/munged --pid-file=$MUNGE_PID || cannot "munged did not start"
    alive $CTLD_PID || slurmctld || cannot "slurmctld did not start (see /var/log/slurm/slurmctld.log)"
    alive $SLURMD_PID || slurmd || cannot "slurmd did not start (see /var/log/slurm/slurmd.log)"
    local state=""
    for _ in $(seq 1 150); do
        state=$(node_state)
        case "$state" in
            idle) echo "slurm-cluster: up (node $(hostname -s) idle)"; return 0 ;;
            down*|drain*) scontrol update nodename="$(hostname -s)" state=resume 2>/dev/null || true ;;
        esac
        sleep 0.2
    done
    cannot "the node did not become idle in 30 s (state '${state}'; see /var/log/slurm/)"
}

stop_pid() {  # pid file, name
    [ -f "$1" ] || return 0
    local pid
    pid=$(cat "$1")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$1"
    echo "slurm-cluster: stopped $2"
}

case "${1:-}" in
    start) start ;;
    stop) stop_pid $SLURMD_PID slurmd; stop_pid $CTLD_PID slurmctld; stop_pid $MUNGE_PID munged ;;
    status) [ "$(node_state)" = idle ] || [ "$(node_state)" = mixed ] || [ "$(node_state)" = allocated ] ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
