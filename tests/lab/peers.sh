#!/usr/bin/env bash
# Real test peers on loopback (../shared/reference/lab.md §0-§3, design §7):
#   - "ssh":      OpenSSH sshd for the KVM host account `labuser` (password and key), SFTP;
#   - "svm":      a second sshd, the lab SVM's, whose only user `klconfig` is forced into our klconfig
#                 simulator (main/lab/klconfig);
#   - "libvirt":  virtlogd + libvirtd with QEMU (KVM when /dev/kvm is usable, TCG otherwise), usable
#                 by `labuser` without polkit;
#   - "chromium": Debian's Chromium, for the browser tests.
#
#   tests/lab/peers.sh start    install what is missing (root), start what is not running, write peers.env
#   tests/lab/peers.sh status   one line per peer; exit 0 only when every peer runs
#   tests/lab/peers.sh stop     release this caller's lease; when no other live caller holds one, kill
#                               our daemons by PID, restore /dev/kvm, remove peers.env
#   tests/lab/peers.sh stop --force   stop even while other callers hold leases
#
# Several test runs share one machine, and libvirtd is one per machine: `start` takes a lease named
# after its caller's PID ($PPID, e.g. the `npm test` runner or the shell chaining start; tests; stop),
# and `stop` only stops the peers once no live caller holds a lease, so one run never pulls the peers
# from under another. start and stop are serialised with flock.
# State lives in $LK_PEERS_DIR (default /tmp/lightkeeper-peers); tests read $LK_PEERS_DIR/peers.env.
# A peer that cannot start ends the script non-zero with a message naming it: never a silent skip.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${LK_PEERS_DIR:-/tmp/lightkeeper-peers}
ENV_FILE=$DIR/peers.env
NODE=$(readlink -f "$REPO/node_modules/.bin/node" 2>/dev/null || true)
KLCONFIG_MAIN=$REPO/main/lab/klconfig/main.ts
LIBVIRT_URI=qemu:///system
LAB_USER=labuser
SVM_USER=klconfig
PACKAGES=(openssh-server libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils chromium)

say() { printf 'peers: %s\n' "$*"; }

# Daemons this run started: a start that fails stops them again, so it leaves nothing half-up.
STARTED=()
fail() { # fail PEER MESSAGE [LOGFILE]
  printf 'peers: %s FAILED: %s\n' "$1" "$2" >&2
  if [ -n "${3:-}" ] && [ -f "$3" ]; then
    printf -- '--- last lines of %s ---\n' "$3" >&2
    tail -n 20 "$3" >&2
  fi
  local pidfile
  for pidfile in "${STARTED[@]}"; do kill_pidfile "$(basename "$(dirname "$pidfile")")/$(basename "$pidfile" .bgpid) (started by this run)" "$pidfile"; done
  exit 1
}

# A PID is alive when it exists and is not a zombie: PID 1 here does not reap orphans (lab.md §0).
alive() {
  local pid=$1 stat
  [ -n "$pid" ] || return 1
  stat=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ $stat != Z* ]]
}
pid_of() { [ -f "$1" ] && cat "$1" || true; }
running() { alive "$(pid_of "$1")"; }

# Starts a daemon in the foreground mode as its own session, records the daemon's own PID.
# `setsid` without -f execs in place (the script has no job control, so the child is no group
# leader): $! is the daemon itself, and a kill of the caller's process group does not reach it.
# 9>&-: a daemon must not inherit the flock of start/stop, or it would hold it forever.
spawn() { # spawn PIDFILE LOGFILE CMD...
  local pidfile=$1 log=$2
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
  STARTED+=("$pidfile")
}

kill_pidfile() { # kill_pidfile NAME PIDFILE
  local name=$1 pidfile=$2 pid i
  pid=$(pid_of "$pidfile")
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "$name (pid $pid) ignored SIGTERM for 10 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    fi
    say "$name stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

# Another daemon of that name that is alive (zombies of earlier runs do not count).
live_process() {
  local p
  for p in $(pgrep -x "$1" || true); do alive "$p" && return 0; done
  return 1
}

port_busy() { [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }

free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    port_busy "$p" || { echo "$p"; return 0; }
  done
  return 1
}

wait_listen() { # wait_listen PID PORT: the daemon is up when it listens and still lives
  local pid=$1 port=$2 i
  for i in $(seq 1 100); do
    alive "$pid" || return 1
    port_busy "$port" && return 0
    sleep 0.1
  done
  return 1
}

fingerprint() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }

random_password() { # satisfies the klconfig rule: <= 60 chars, letters, digits, listed specials
  printf 'Lk-%s9' "$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 16)"
}

# --- packages ------------------------------------------------------------------------------------

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

ensure_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  [ "$(id -u)" = 0 ] || fail packages "missing Debian packages ($missing) and not root, so they cannot be installed"
  say "installing $missing"
  apt-get update -q >"$DIR/apt.log" 2>&1 || fail packages "apt-get update failed" "$DIR/apt.log"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 \
    $missing >>"$DIR/apt.log" 2>&1 || fail packages "apt-get install $missing failed" "$DIR/apt.log"
}

ensure_user() { # ensure_user NAME PASSWORD [GROUP]
  local name=$1 password=$2 group=${3:-}
  if ! id "$name" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$name" || fail users "useradd $name failed"
  fi
  echo "$name:$password" | chpasswd || fail users "chpasswd $name failed"
  if [ -n "$group" ]; then usermod -aG "$group" "$name" || fail users "usermod -aG $group $name failed"; fi
}

# Passwords are made once per state dir, so a restart keeps them.
load_secrets() {
  if [ ! -f "$DIR/secrets" ]; then
    umask 077
    printf 'LAB_PASSWORD=%s\nSVM_PASSWORD=%s\n' "$(random_password)" "$(random_password)" >"$DIR/secrets"
    umask 022
  fi
  # shellcheck disable=SC1091
  . "$DIR/secrets"
}

# --- sshd (host and SVM) -------------------------------------------------------------------------

# start_sshd PEER SUBDIR EXTRA_CONFIG: one sshd with its own throwaway host key, port and log.
start_sshd() {
  local peer=$1 d=$DIR/$2 extra=$3 port pid
  mkdir -p "$d" /run/sshd
  [ -f "$d/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "lightkeeper-$peer-host" -f "$d/host_ed25519"
  if running "$d/sshd.bgpid" && [ -f "$d/port" ] && port_busy "$(cat "$d/port")"; then
    say "$peer sshd already running (pid $(pid_of "$d/sshd.bgpid"), port $(cat "$d/port"))"
    return 0
  fi
  rm -f "$d/sshd.bgpid"
  port=$(cat "$d/port" 2>/dev/null || true)
  if [ -z "$port" ] || port_busy "$port"; then port=$(free_port) || fail "$peer" "no free TCP port found"; fi
  cat >"$d/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_ed25519
PidFile $d/sshd.pid
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM yes
MaxSessions 64
MaxStartups 64:30:128
X11Forwarding no
PrintMotd no
$extra
EOF
  /usr/sbin/sshd -t -f "$d/sshd_config" >"$d/sshd.log" 2>&1 || fail "$peer" "sshd rejected its config $d/sshd_config" "$d/sshd.log"
  # The absolute path is required: sshd re-execs itself (lab.md §1).
  spawn "$d/sshd.bgpid" "$d/sshd.log" /usr/sbin/sshd -D -e -f "$d/sshd_config"
  pid=$(pid_of "$d/sshd.bgpid")
  wait_listen "$pid" "$port" || fail "$peer" "sshd (pid $pid) is not listening on 127.0.0.1:$port" "$d/sshd.log"
  echo "$port" >"$d/port"
  say "$peer sshd started (pid $pid, 127.0.0.1:$port)"
}

start_ssh_peer() {
  local d=$DIR/ssh
  mkdir -p "$d/auth"
  [ -f "$d/user_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C lightkeeper-labuser -f "$d/user_ed25519"
  cp "$d/user_ed25519.pub" "$d/auth/$LAB_USER"
  ensure_user "$LAB_USER" "$LAB_PASSWORD" libvirt
  start_sshd ssh ssh "AuthorizedKeysFile $d/auth/%u
AllowUsers $LAB_USER
Subsystem sftp internal-sftp"
}

start_svm_peer() {
  local d=$DIR/svm state=$DIR/svm/klconfig
  [ -x "$NODE" ] || fail svm "the pinned Node ($REPO/node_modules/.bin/node) is missing: run npm ci"
  [ -f "$KLCONFIG_MAIN" ] || fail svm "the klconfig simulator $KLCONFIG_MAIN is missing"
  ensure_user "$SVM_USER" "$SVM_PASSWORD"
  mkdir -p "$state"
  # The lab's DNS zone for `getdnshostname` (PTR records, /etc/hosts format).
  [ -f "$state/dns-hosts" ] || printf '10.10.0.21 testsvm.example.com\n10.10.0.22 testsvm2.example.com\n' >"$state/dns-hosts"
  touch "$state/authorized_keys"
  chown -R "$SVM_USER:$SVM_USER" "$state"
  chmod 0755 "$d"
  start_sshd svm svm "AuthorizedKeysFile $state/authorized_keys
AllowUsers $SVM_USER
PermitTTY no
DisableForwarding yes
ForceCommand $NODE --disable-warning=ExperimentalWarning $KLCONFIG_MAIN --state-dir $state"
  # The simulator must answer through the real sshd, not just be present.
  local out
  out=$(runuser -u "$SVM_USER" -- env SSH_ORIGINAL_COMMAND=apiversion "$NODE" --disable-warning=ExperimentalWarning \
    "$KLCONFIG_MAIN" --state-dir "$state" 2>&1) || true
  [[ $out == *"KLCONFIG OK"* ]] || fail svm "the klconfig simulator does not answer 'apiversion': $out"
}

# --- libvirt -------------------------------------------------------------------------------------

libvirt_ok() { timeout 20 runuser -u "$LAB_USER" -- virsh -q -c "$LIBVIRT_URI" uri >/dev/null 2>&1; }

start_libvirt() {
  local v=$DIR/virt i
  mkdir -p "$v" "$DIR/kvm/images"
  chmod 0755 "$DIR" "$DIR/kvm"
  chown "$LAB_USER:$LAB_USER" "$DIR/kvm/images"
  # FIX 1 (lab.md §2): libvirt runs QEMU as libvirt-qemu:kvm, and /dev/kvm is root-only here.
  if [ -c /dev/kvm ]; then
    [ -f "$v/kvm.perms" ] || stat -c '%a %U %G' /dev/kvm >"$v/kvm.perms"
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
  if running "$v/virtlogd.bgpid"; then
    say "virtlogd already running (pid $(pid_of "$v/virtlogd.bgpid"))"
  elif [ -S /run/libvirt/virtlogd-sock ] && live_process virtlogd; then
    say "virtlogd: one not started by us is running; using it"
  else
    rm -f /run/libvirt/virtlogd-sock
    spawn "$v/virtlogd.bgpid" "$v/virtlogd.log" /usr/sbin/virtlogd
    for i in $(seq 1 100); do [ -S /run/libvirt/virtlogd-sock ] && break; sleep 0.1; done
    [ -S /run/libvirt/virtlogd-sock ] || fail virtlogd "virtlogd did not create /run/libvirt/virtlogd-sock" "$v/virtlogd.log"
    say "virtlogd started (pid $(pid_of "$v/virtlogd.bgpid"))"
  fi
  # FIX 2: no polkit or D-Bus here, so the rw socket is opened to group libvirt.
  cat >"$v/libvirtd.conf" <<'EOF'
unix_sock_group = "libvirt"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
EOF
  if running "$v/libvirtd.bgpid"; then
    say "libvirtd already running (pid $(pid_of "$v/libvirtd.bgpid"))"
  elif live_process libvirtd; then
    libvirt_ok || fail libvirt "a libvirtd not started by us is running and $LAB_USER cannot use $LIBVIRT_URI"
    say "libvirtd: one not started by us is running; using it"
  else
    spawn "$v/libvirtd.bgpid" "$v/libvirtd.log" /usr/sbin/libvirtd -f "$v/libvirtd.conf"
    for i in $(seq 1 100); do [ -S /run/libvirt/libvirt-sock ] && break; alive "$(pid_of "$v/libvirtd.bgpid")" || break; sleep 0.1; done
    [ -S /run/libvirt/libvirt-sock ] || fail libvirt "libvirtd did not create /run/libvirt/libvirt-sock" "$v/libvirtd.log"
    say "libvirtd started (pid $(pid_of "$v/libvirtd.bgpid"))"
  fi
  libvirt_ok || fail libvirt "$LAB_USER cannot open $LIBVIRT_URI" "$v/libvirtd.log"
  # KVM when this box gives libvirt a usable /dev/kvm, QEMU TCG otherwise (both start, lab.md §2).
  if [ -c /dev/kvm ] && timeout 60 runuser -u "$LAB_USER" -- virsh -q -c "$LIBVIRT_URI" domcapabilities --virttype kvm >/dev/null 2>&1; then
    KVM_DOMAIN_TYPE=kvm
  else
    KVM_DOMAIN_TYPE=qemu
  fi
}

# --- chromium ------------------------------------------------------------------------------------

CHROMIUM=/usr/bin/chromium
check_chromium() {
  [ -x "$CHROMIUM" ] || fail chromium "$CHROMIUM is missing"
  timeout 30 "$CHROMIUM" --version 2>/dev/null | grep -q Chromium || fail chromium "$CHROMIUM --version does not run"
}

# --- peers.env -----------------------------------------------------------------------------------

write_env() {
  local tmp=$ENV_FILE.tmp
  umask 077
  cat >"$tmp" <<EOF
# Written by tests/lab/peers.sh start on $(date -u +%FT%TZ); read by tests/integration/*.
LK_PEERS_DIR=$DIR
LK_SSH_HOST=127.0.0.1
LK_SSH_PORT=$(cat "$DIR/ssh/port")
LK_SSH_HOST_KEY_FINGERPRINT=$(fingerprint "$DIR/ssh/host_ed25519.pub")
LK_SSH_HOST_KEY_PUB=$DIR/ssh/host_ed25519.pub
LK_SSH_USER=$LAB_USER
LK_SSH_PASSWORD=$LAB_PASSWORD
LK_SSH_USER_KEY=$DIR/ssh/user_ed25519
LK_SSH_USER_KEY_PUB=$DIR/ssh/user_ed25519.pub
LK_SVM_HOST=127.0.0.1
LK_SVM_PORT=$(cat "$DIR/svm/port")
LK_SVM_HOST_KEY_FINGERPRINT=$(fingerprint "$DIR/svm/host_ed25519.pub")
LK_SVM_USER=$SVM_USER
LK_SVM_PASSWORD=$SVM_PASSWORD
LK_SVM_STATE_DIR=$DIR/svm/klconfig
LK_LIBVIRT_URI=$LIBVIRT_URI
LK_KVM_IMAGE_DIR=$DIR/kvm/images
LK_KVM_DOMAIN_TYPE=$KVM_DOMAIN_TYPE
LK_CHROMIUM=$CHROMIUM
EOF
  umask 022
  mv "$tmp" "$ENV_FILE"
}

# --- commands ------------------------------------------------------------------------------------

# --- leases --------------------------------------------------------------------------------------

LEASES=$DIR/leases
take_lease() {
  mkdir -p "$LEASES"
  ps -o args= -p "$PPID" >"$LEASES/$PPID" 2>/dev/null || echo "pid $PPID" >"$LEASES/$PPID"
}
# Prints the live leases other than the caller's; removes the dead ones.
other_leases() {
  local f pid
  [ -d "$LEASES" ] || return 0
  for f in "$LEASES"/*; do
    [ -e "$f" ] || continue
    pid=$(basename "$f")
    if ! alive "$pid"; then rm -f "$f"; continue; fi
    [ "$pid" = "$PPID" ] || printf '%s (%s)\n' "$pid" "$(head -c 120 "$f")"
  done
}
lock() {
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 900 9 || fail peers "another peers.sh start/stop has held $DIR/.lock for 15 minutes"
}

cmd_start() {
  [ "$(id -u)" = 0 ] || fail peers "must run as root (it adds users, starts sshd and libvirtd)"
  lock
  chmod 0755 "$DIR"
  ensure_packages
  load_secrets
  start_ssh_peer
  start_svm_peer
  start_libvirt
  check_chromium
  write_env
  take_lease
  say "ready: $ENV_FILE (libvirt domain type $KVM_DOMAIN_TYPE)"
}

cmd_stop() {
  local v=$DIR/virt d others
  lock
  rm -f "$LEASES/$PPID"
  others=$(other_leases)
  if [ -n "$others" ] && [ "${1:-}" != --force ]; then
    say "not stopped: still used by $(echo "$others" | tr '\n' ';' | sed 's/;$//') (stop --force stops anyway)"
    return 0
  fi
  rm -rf "$LEASES"
  if running "$v/libvirtd.bgpid"; then
    # QEMU processes outlive libvirtd: power off whatever guests are still running first.
    for d in $(timeout 20 virsh -q -c "$LIBVIRT_URI" list --name 2>/dev/null || true); do
      timeout 30 virsh -q -c "$LIBVIRT_URI" destroy "$d" >/dev/null 2>&1 && say "destroyed leftover domain $d" || true
    done
  fi
  kill_pidfile "ssh sshd" "$DIR/ssh/sshd.bgpid"
  kill_pidfile "svm sshd" "$DIR/svm/sshd.bgpid"
  kill_pidfile libvirtd "$v/libvirtd.bgpid"
  kill_pidfile virtlogd "$v/virtlogd.bgpid"
  if [ -f "$v/kvm.perms" ]; then
    read -r mode owner group <"$v/kvm.perms"
    if [ -c /dev/kvm ]; then chown "$owner:$group" /dev/kvm && chmod "$mode" /dev/kvm; fi
    rm -f "$v/kvm.perms"
    say "/dev/kvm restored to $mode $owner:$group"
  fi
  rm -f "$ENV_FILE"
}

status_line() { # status_line NAME PIDFILE [PORTFILE]
  local pid
  pid=$(pid_of "$2")
  if alive "$pid"; then
    printf '%-9s running  pid %s%s\n' "$1" "$pid" "${3:+  port $(cat "$3" 2>/dev/null)}"
  else
    printf '%-9s stopped\n' "$1"
    return 1
  fi
}

cmd_status() {
  local rc=0
  status_line ssh "$DIR/ssh/sshd.bgpid" "$DIR/ssh/port" || rc=3
  status_line svm "$DIR/svm/sshd.bgpid" "$DIR/svm/port" || rc=3
  status_line virtlogd "$DIR/virt/virtlogd.bgpid" || rc=3
  status_line libvirtd "$DIR/virt/libvirtd.bgpid" || rc=3
  if [ -x "$CHROMIUM" ]; then printf '%-9s present  %s\n' chromium "$CHROMIUM"; else printf '%-9s missing\n' chromium; rc=3; fi
  [ -f "$ENV_FILE" ] && echo "env       $ENV_FILE" || echo "env       (no peers.env)"
  return $rc
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop [--force]|status   (state dir: \$LK_PEERS_DIR, default /tmp/lightkeeper-peers)" >&2; exit 2 ;;
esac
