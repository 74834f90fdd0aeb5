#!/usr/bin/env bash
# A one-node SLURM cluster on localhost, for the slow tests and for trying sweeps on a laptop.
#
#   scripts/slurm-local.sh start    write config if needed, start munged, slurmctld, slurmd; wait idle
#                                   (a cluster that already answers under a foreign slurm.conf is used as is)
#   scripts/slurm-local.sh stop     stop the daemons this script started
#   scripts/slurm-local.sh status   show daemons and sinfo; exit 0 if the node is up, 3 if not
#
# Needs root (start/stop) and Debian's slurm-wlm + munge. Every command is idempotent.
# Environment: SIMTRIAL_SLURM_FORCE=1 replaces a slurm.conf this script did not write (a backup is
# kept); SIMTRIAL_SLURM_TIMEOUT (seconds, default 60) bounds the wait for the node;
# SIMTRIAL_SLURM_BASE (default /var/spool/simtrial-slurm) holds state, spool and logs.
# See docs/slurm.md.
set -euo pipefail

MARK="# simtrial: written by scripts/slurm-local.sh"
CONF_DIR=/etc/slurm                 # where Debian's slurm-wlm (22.05) reads slurm.conf
CONF="$CONF_DIR/slurm.conf"
BASE="${SIMTRIAL_SLURM_BASE:-/var/spool/simtrial-slurm}"
RUN=/run/simtrial-slurm
LOG="$BASE/log"
TIMEOUT="${SIMTRIAL_SLURM_TIMEOUT:-60}"
NODE="$(hostname -s)"
MUNGE_PID=/run/munge/munged.pid

die() { echo "slurm-local: $*" >&2; exit 1; }
say() { echo "slurm-local: $*" >&2; }

need_tools() {
  local missing=()
  command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] || die "missing Debian package(s): ${missing[*]} (apt-get install ${missing[*]}, or: make system-deps)"
}

need_root() {
  [ "$(id -u)" = 0 ] || die "'$1' must run as root (try: sudo $0 $1)"
}

# /proc rather than kill -0, so that status also works for users who do not own the daemons.
alive() { [ -s "$1" ] && [ -d "/proc/$(cat "$1" 2>/dev/null)" ]; }

conf_is_ours() { [ -f "$CONF" ] && grep -qxF "$MARK" "$CONF"; }

node_state() { sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n1; }

# Some node of the running cluster (any owner) is usable.
foreign_cluster_up() {
  sinfo -h -o %T 2>/dev/null | sed 's/[*~#$@^!%-]*$//' | grep -qxE 'idle|mixed|allocated|completing'
}

show_logs() {
  local f
  for f in "$LOG/slurmctld.log" "$LOG/slurmd.log" /var/log/munge/munged.log; do
    [ -f "$f" ] && { echo "---- tail of $f"; tail -n 15 "$f"; }
  done >&2
}

# --- configuration -------------------------------------------------------------------------

render_conf() {
  local cpus total margin mem defmem
  cpus="$(nproc)"
  total="$(free -m | awk '/^Mem:/ {print $2}')"
  margin=$(( total / 20 > 512 ? total / 20 : 512 ))   # leave room for the OS and the daemons
  mem=$(( total - margin ))
  [ "$mem" -ge 256 ] || die "too little memory for a SLURM node (free -m reports ${total} MB)"
  defmem=$(( mem / cpus < 1024 ? mem / cpus : 1024 ))  # without a default, one job takes all memory
  cat <<EOF
$MARK
# One-node cluster on $NODE for simtrial's tests and local sweeps. Safe to delete after
# 'scripts/slurm-local.sh stop'. Regenerated on every start while this marker line is present.
ClusterName=simtrial-local
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
StateSaveLocation=$BASE/ctld
SlurmdSpoolDir=$BASE/d
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$defmem
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=300
InactiveLimit=0
KillWait=30
Waittime=0
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

# Writes slurm.conf; prints "changed" if its content changed.
write_conf() {
  local new
  new="$(render_conf)"
  if [ -f "$CONF" ] && ! conf_is_ours; then
    if [ "${SIMTRIAL_SLURM_FORCE:-0}" != 1 ]; then
      die "$CONF exists and was not written by simtrial; refusing to replace it (set SIMTRIAL_SLURM_FORCE=1 to replace it, keeping a backup)"
    fi
    local backup
    backup="$CONF.simtrial-backup.$(date +%Y%m%d%H%M%S)"
    cp -p "$CONF" "$backup"
    say "replacing $CONF (backup: $backup)"
  fi
  if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$new" ]; then
    return 0
  fi
  mkdir -p "$CONF_DIR"
  printf '%s\n' "$new" > "$CONF.tmp.$$"
  chmod 644 "$CONF.tmp.$$"
  mv -f "$CONF.tmp.$$" "$CONF"
  echo changed
}

# --- daemons -------------------------------------------------------------------------------

start_munge() {
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    say "writing a new munge key $key"
    install -d -o munge -g munge -m 0700 /etc/munge
    (umask 077; dd if=/dev/urandom of="$key" bs=1 count=1024 status=none)
    chown munge:munge "$key"
    chmod 0400 "$key"
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge
  install -d -o munge -g munge -m 0711 /var/lib/munge
  if alive "$MUNGE_PID" && munge -n </dev/null >/dev/null 2>&1; then
    return 0
  fi
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged --force 9>&-
  touch "$RUN/munged.ours"
  local i
  for i in $(seq 1 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  show_logs
  die "munged did not answer within 10 s"
}

start_daemons() {
  install -d -m 0755 "$RUN" "$BASE" "$LOG"
  install -d -m 0700 "$BASE/ctld" "$BASE/d"
  if ! alive "$RUN/slurmctld.pid"; then
    say "starting slurmctld"
    /usr/sbin/slurmctld 9>&- || { show_logs; die "slurmctld failed to start"; }
  fi
  if ! alive "$RUN/slurmd.pid"; then
    say "starting slurmd"
    /usr/sbin/slurmd 9>&- || { show_logs; die "slurmd failed to start"; }
  fi
}

wait_ready() {
  local deadline state
  deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    state="$(node_state || true)"
    case "$state" in
      idle|mixed|allocated|completing) return 0 ;;
      down|drained|draining|drain|fail|failing|idle+drain|inval)
        # ReturnToService=2 covers most restarts; an explicit resume covers the rest.
        scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
      sinfo -N -l >&2 2>/dev/null || true
      scontrol show node "$NODE" 2>/dev/null | grep -i reason >&2 || true
      show_logs
      die "node $NODE not idle after ${TIMEOUT} s (last state: '${state:-no answer from slurmctld}')"
    fi
    sleep 1
  done
}

cmd_start() {
  need_tools
  need_root start
  install -d -m 0755 "$RUN"
  # One start at a time: parallel test sessions may call this together. The daemons must not
  # inherit fd 9, or they would hold the lock for ever.
  exec 9>"$RUN/start.lock"
  flock -w "$TIMEOUT" 9 || die "another 'slurm-local.sh start' holds $RUN/start.lock"
  if [ -f "$CONF" ] && ! conf_is_ours && [ "${SIMTRIAL_SLURM_FORCE:-0}" != 1 ] && foreign_cluster_up; then
    say "a SLURM cluster not started by simtrial already answers (sinfo); using it, nothing to start"
    sinfo -s >&2 || true
    return 0
  fi
  local changed
  changed="$(write_conf)"
  start_munge
  if [ -n "$changed" ] && alive "$RUN/slurmctld.pid"; then
    # Daemons were running with an older file: restart them so they read this one.
    say "slurm.conf changed; restarting the daemons"
    stop_pid slurmd "$RUN/slurmd.pid"
    stop_pid slurmctld "$RUN/slurmctld.pid"
  fi
  start_daemons
  wait_ready
  say "node $NODE is up (partition debug): $(sinfo -h -n "$NODE" -o '%T, %c CPUs, %m MB')"
}

stop_pid() {
  local name="$1" pidfile="$2" pid i
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

cmd_stop() {
  need_root stop
  if [ -f "$CONF" ] && ! conf_is_ours && [ "${SIMTRIAL_SLURM_FORCE:-0}" != 1 ]; then
    die "$CONF was not written by simtrial; not stopping a cluster this script does not own (SIMTRIAL_SLURM_FORCE=1 to override)"
  fi
  stop_pid slurmd "$RUN/slurmd.pid"
  stop_pid slurmctld "$RUN/slurmctld.pid"
  # munged only if this script started it.
  if [ -f "$RUN/munged.ours" ]; then
    stop_pid munged "$MUNGE_PID"
    rm -f "$RUN/munged.ours"
  fi
  say "stopped"
}

cmd_status() {
  local rc=0 d
  for d in slurmctld slurmd; do
    if alive "$RUN/$d.pid"; then echo "$d: running (pid $(cat "$RUN/$d.pid"))"; else echo "$d: stopped"; rc=3; fi
  done
  if alive "$MUNGE_PID"; then echo "munged: running (pid $(cat "$MUNGE_PID"))"; else echo "munged: stopped"; rc=3; fi
  if conf_is_ours; then echo "config: $CONF (simtrial)"; elif [ -f "$CONF" ]; then echo "config: $CONF (not simtrial's)"; else echo "config: none"; fi
  if [ "$rc" = 0 ]; then
    sinfo || rc=3
    case "$(node_state)" in idle|mixed|allocated|completing) ;; *) rc=3 ;; esac
  fi
  return "$rc"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
