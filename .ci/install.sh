#!/usr/bin/env bash
# Installs Kiln from its unpacked archive (this script is the archive's install.sh; .ci/package
# puts it there) into a prefix, with the desktop entry that opens glTF models in Kiln, the file
# managers' thumbnailer, the glTF MIME types and the icon.
#   ./install.sh                        into ~/.local, or /usr/local when run as root
#   ./install.sh --prefix DIR           into DIR (or PREFIX=DIR ./install.sh)
#   DESTDIR=STAGE ./install.sh --prefix /usr
#                                       staged for a package: files under STAGE/usr, no caches updated
#   ./install.sh --uninstall [--prefix DIR]
#                                       removes the files this archive installs
# It then refreshes the desktop, MIME and icon caches with update-desktop-database,
# update-mime-database and gtk-update-icon-cache where they are installed (never failing without).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-}
destdir=${DESTDIR:-}
uninstall=false
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || { echo "install: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$prefix" ]; then
  if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix=${HOME:?HOME is unset: give --prefix}/.local; fi
fi
case $prefix in
  /*) ;;
  *) echo "install: the prefix must be an absolute path, not $prefix" >&2; exit 2 ;;
esac
prefix=${prefix%/}
dest=$destdir$prefix

cd "$here"
if [ ! -x bin/kiln ] || [ ! -d share ]; then
  echo "install: run the install.sh of an unpacked Kiln archive (no bin/kiln beside $0)" >&2
  exit 1
fi
# The archive's files, relative to the prefix.
mapfile -t files < <(find bin share -type f | LC_ALL=C sort)

# refresh runs a cache tool when it is installed; its failure is reported, never fatal.
refresh() {
  if command -v "$1" >/dev/null 2>&1; then
    "$@" >/dev/null 2>&1 || echo "install: $* failed (ignored)" >&2
  fi
}
refresh_caches() {
  [ -z "$destdir" ] || return 0 # a package's own triggers refresh them where it is installed
  [ -d "$dest/share/mime/packages" ] && refresh update-mime-database "$dest/share/mime"
  [ -d "$dest/share/applications" ] && refresh update-desktop-database -q "$dest/share/applications"
  if [ -d "$dest/share/icons/hicolor" ]; then
    touch "$dest/share/icons/hicolor" # a folder newer than its icon cache makes GTK skip the cache
    [ -f "$dest/share/icons/hicolor/index.theme" ] && refresh gtk-update-icon-cache -q -f "$dest/share/icons/hicolor"
  fi
  return 0
}

if $uninstall; then
  for f in "${files[@]}"; do
    rm -f "$dest/$f"
  done
  [ -d "$dest/share/doc/kiln" ] && find "$dest/share/doc/kiln" -depth -type d -empty -delete
  refresh_caches
  echo "Kiln removed from $prefix"
  exit 0
fi

# The entries name the binary by its absolute path, so that they work when PREFIX/bin is not on
# the desktop session's PATH. A path the entries' quoting rules would need escaped for stays
# "kiln", found on PATH.
bin=$prefix/bin/kiln
exec_path=kiln
if [[ $bin =~ ^[A-Za-z0-9/._+-]+$ ]]; then
  exec_path=$bin
else
  echo "install: $bin has characters a desktop entry cannot name plainly: the entries run \"kiln\" from PATH" >&2
fi

for f in "${files[@]}"; do
  mode=0644
  [ "${f%/*}" = bin ] && mode=0755
  mkdir -p "$dest/${f%/*}"
  case $f in
    *.desktop | *.thumbnailer)
      tmp=$(mktemp "$dest/${f%/*}/.kiln-install.XXXXXX")
      sed -e "s|^TryExec=kiln\$|TryExec=$exec_path|" -e "s|^Exec=kiln |Exec=$exec_path |" "$f" >"$tmp"
      chmod "$mode" "$tmp"
      mv -f "$tmp" "$dest/$f"
      ;;
    *) install -m "$mode" "$f" "$dest/$f" ;;
  esac
done
refresh_caches

echo "Kiln installed into $prefix"
if [ -z "$destdir" ]; then
  case ":${PATH:-}:" in
    *":$prefix/bin:"*) ;;
    *) echo "note: $prefix/bin is not on PATH: add it to run kiln from a terminal" ;;
  esac
  data_home=${XDG_DATA_HOME:-${HOME:-/nonexistent}/.local/share}
  case ":$data_home:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}:" in
    *":$prefix/share:"*) ;;
    *) echo "note: $prefix/share is not in XDG_DATA_DIRS: desktops will not see Kiln's entry, thumbnailer or icon until it is" ;;
  esac
fi
