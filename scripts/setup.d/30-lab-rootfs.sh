#!/usr/bin/env bash
# The lab hosts' root filesystem and their local apt repository, cached under $PROVDC_CACHE/lab:
#   rootfs -> rootfs.<hash>/   debootstrap of Debian bookworm with the preinstalled lines of
#             lab/rootfs-packages.txt, a user `provdc` (bash, passwordless sudo), no SSH host keys
#             (each host gets its own), apt lists that already know the local repository
#   apt-repo -> apt-repo.<hash>/   every .deb of the rootfs plus the "repo" lines with their
#             dependencies, a flat repository (`deb [trusted=yes] file:/srv/provdc-apt ./` in a host)
# Both are built in the root namespace at setup time; nothing inside the lab reaches a network.
# A new version is built beside the old one (a running lab keeps using its own); versions no
# longer current are removed when no lab is up. Skips itself when the list is unchanged.
set -euo pipefail
list="$PROVDC_ROOT/lab/rootfs-packages.txt"
dest="$PROVDC_CACHE/lab"
want=$( (cat "$list"; cat "$0") | sha256sum | cut -c1-12)
lab_up() { ls /run/netns 2>/dev/null | grep -q '^pdc-'; }
prune() {
  lab_up && return 0
  for old in "$dest"/rootfs.* "$dest"/apt-repo.*; do
    [ -d "$old" ] || continue
    case "$old" in *".$want") ;; *) rm -rf "$old" ;; esac
  done
}
if [ -x "$dest/rootfs.$want/usr/sbin/sshd" ] && [ -f "$dest/apt-repo.$want/Packages" ] \
   && [ "$(readlink "$dest/rootfs")" = "rootfs.$want" ]; then
  prune; log "lab rootfs: up to date"; exit 0
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
umount "$new/srv/provdc-apt" 2>/dev/null || true
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

# The rootfs as every host sees it (the read-only lower layer).
rm -f "$new"/var/cache/apt/archives/*.deb "$new"/etc/ssh/ssh_host_* "$new"/etc/apt/sources.list
mkdir -p "$new/srv/provdc-apt"
echo "deb [trusted=yes] file:/srv/provdc-apt ./" > "$new/etc/apt/sources.list.d/provdc-lab.list"
mount --bind "$repo_new" "$new/srv/provdc-apt"
if ! chroot "$new" apt-get -qq update >/dev/null 2>&1; then
  umount "$new/srv/provdc-apt"; echo "setup: apt-get update in the lab rootfs failed" >&2; exit 1
fi
umount "$new/srv/provdc-apt"
chroot "$new" /usr/sbin/useradd --create-home --shell /bin/bash provdc
echo "provdc ALL=(ALL) NOPASSWD: ALL" > "$new/etc/sudoers.d/provdc"
chmod 0440 "$new/etc/sudoers.d/provdc"

rm -rf "$dest/rootfs.$want" "$dest/apt-repo.$want"
mv "$new" "$dest/rootfs.$want"
mv "$repo_new" "$dest/apt-repo.$want"
for d in rootfs apt-repo; do  # an older layout kept them as plain folders
  if [ -d "$dest/$d" ] && [ ! -L "$dest/$d" ]; then mv "$dest/$d" "$dest/$d.legacy"; fi
done
ln -sfn "rootfs.$want" "$dest/rootfs.link" && mv -T "$dest/rootfs.link" "$dest/rootfs"
ln -sfn "apt-repo.$want" "$dest/apt-repo.link" && mv -T "$dest/apt-repo.link" "$dest/apt-repo"
rm -f "$dest/rootfs.stamp"
prune
log "lab rootfs: built ($(du -sh "$dest/rootfs.$want" | cut -f1) rootfs, $(ls "$dest/apt-repo.$want" | grep -c '\.deb$') packages in the repository)"
