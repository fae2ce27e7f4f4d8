#!/bin/sh
# PID 1 of a lab host, run by `provdc lab up` as
#   ip netns exec NS unshare --mount --uts --pid --fork --propagation private host-init.sh \
#       LOWER UPPER WORK MERGED REPO HOSTNAME
# Mounts the host's root (overlay of the shared read-only rootfs and its own upper layer), moves
# into it with pivot_root, starts sshd through its init script and waits; no systemd inside.
set -eu
lower=$1 upper=$2 work=$3 merged=$4 repo=$5 name=$6
hostname "$name"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$merged"
mount -t proc proc "$merged/proc"
mount -t sysfs -o ro sysfs "$merged/sys"
mount -t tmpfs -o mode=0755,size=16m tmpfs "$merged/dev"
for d in null zero full random urandom tty; do
  touch "$merged/dev/$d"
  mount --bind "/dev/$d" "$merged/dev/$d"
done
mkdir -p "$merged/dev/pts" "$merged/dev/shm" "$merged/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$merged/dev/pts"
ln -s pts/ptmx "$merged/dev/ptmx"
ln -s /proc/self/fd "$merged/dev/fd"
ln -s /proc/self/fd/0 "$merged/dev/stdin"
ln -s /proc/self/fd/1 "$merged/dev/stdout"
ln -s /proc/self/fd/2 "$merged/dev/stderr"
mount -t tmpfs -o mode=1777 tmpfs "$merged/dev/shm"
mount -t tmpfs -o mode=0755,size=64m tmpfs "$merged/run"
mkdir -p "$merged/srv/provdc-apt"
mount --bind "$repo" "$merged/srv/provdc-apt"
mount -o remount,bind,ro "$merged/srv/provdc-apt"
mkdir -p "$merged/.oldroot"
cd "$merged"
pivot_root . .oldroot
exec chroot . /bin/sh -c '
  umount -l /.oldroot && rmdir /.oldroot
  mkdir -p /run/sshd /run/lock
  : > /run/utmp
  service ssh start >/var/log/provdc-lab-init.log 2>&1 || /usr/sbin/sshd
  exec python3 -c "
import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:  # PID 1 reaps every orphan
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(1)
"
'
