#!/usr/bin/env bash
# The lab hosts' root filesystem and their local apt repository, cached under $PROVDC_CACHE/lab:
#   rootfs/   debootstrap of Debian bookworm with the preinstalled lines of lab/rootfs-packages.txt,
#             a user `provdc` (bash, passwordless sudo) and no SSH host keys (each host makes its own)
#   apt-repo/ every .deb of the rootfs plus the "repo" lines with their dependencies, as a flat
#             repository (`deb [trusted=yes] file:/srv/provdc-apt ./` inside a host)
# Both are built in the root namespace at setup time; nothing inside the lab reaches a network.
# Skips itself when the package list is unchanged and both are there.
set -euo pipefail
list="$PROVDC_ROOT/lab/rootfs-packages.txt"
dest="$PROVDC_CACHE/lab"
stamp="$dest/rootfs.stamp"
want=$( (cat "$list"; cat "$0") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dest/rootfs/usr/sbin/sshd" ] \
   && [ -f "$dest/apt-repo/Packages" ]; then
  log "lab rootfs: up to date"; exit 0
fi
if [ "$(id -u)" -ne 0 ]; then echo "setup: root is needed to build the lab root filesystem" >&2; exit 1; fi
command -v debootstrap >/dev/null && command -v dpkg-scanpackages >/dev/null \
  || { echo "setup: debootstrap and dpkg-dev are needed (step 10-apt)" >&2; exit 1; }

pre=$(awk '!/^\s*#/ && NF && $2 != "repo" {print $1}' "$list" | paste -sd, -)
extra=$(awk '!/^\s*#/ && NF && $2 == "repo" {print $1}' "$list")
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$dest"
new="$dest/rootfs.new"; repo_new="$dest/apt-repo.new"
rm -rf "$new" "$repo_new"
log "lab rootfs: debootstrap bookworm ($pre)"
nice debootstrap --variant=minbase --include="$pre" bookworm "$new" "$mirror" >"$dest/debootstrap.log" 2>&1 \
  || { tail -5 "$dest/debootstrap.log" >&2; exit 1; }

mkdir -p "$repo_new/partial"
cp "$new"/var/cache/apt/archives/*.deb "$repo_new/"
if [ -n "$extra" ]; then
  log "lab rootfs: apt repository with $(echo $extra)"
  # Resolve against the rootfs's own dpkg status, download with the machine's apt lists.
  apt-get -qq update || true
  # shellcheck disable=SC2086
  apt-get -qq -y --download-only \
    -o Dir::State::status="$new/var/lib/dpkg/status" \
    -o Dir::Cache::archives="$repo_new" \
    -o Debug::NoLocking=1 install $extra >/dev/null
fi
rm -rf "$repo_new/partial" "$repo_new/lock"
(cd "$repo_new" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null && gzip -kf Packages)

# The rootfs as every host sees it (read-only lower layer).
rm -f "$new"/var/cache/apt/archives/*.deb "$new"/etc/ssh/ssh_host_*
rm -f "$new"/etc/apt/sources.list
mkdir -p "$new/srv/provdc-apt"
echo "deb [trusted=yes] file:/srv/provdc-apt ./" > "$new/etc/apt/sources.list.d/provdc-lab.list"
chroot "$new" /usr/sbin/useradd --create-home --shell /bin/bash provdc
echo "provdc ALL=(ALL) NOPASSWD: ALL" > "$new/etc/sudoers.d/provdc"
chmod 0440 "$new/etc/sudoers.d/provdc"

rm -rf "$dest/rootfs" "$dest/apt-repo"
mv "$new" "$dest/rootfs"
mv "$repo_new" "$dest/apt-repo"
echo "$want" > "$stamp"
log "lab rootfs: built ($(du -sh "$dest/rootfs" | cut -f1) rootfs, $(ls "$dest/apt-repo" | grep -c '\.deb$') packages in the repository)"
