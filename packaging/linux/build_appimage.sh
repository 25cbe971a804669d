#!/usr/bin/env bash
# Build an AppImage from the PyInstaller bundle (CI only, best effort: appimagetool is fetched
# from its GitHub releases, which this project's own machines cannot reach).
#
#   packaging/linux/build_appimage.sh dist/pyinstaller/timetracker dist
#
# APPIMAGETOOL may point at an appimagetool already on disk; otherwise it is downloaded.
set -euo pipefail

bundle="${1:?usage: build_appimage.sh BUNDLE OUT_DIR}"
out="${2:?usage: build_appimage.sh BUNDLE OUT_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
icons="${TIMETRACKER_ICONS:-$repo/build/icons}"
app_id="org.timetracker.TimeTracker"

[ -x "$bundle/timetracker" ] || { echo "build_appimage: no bundle at $bundle" >&2; exit 2; }
[ -f "$icons/timetracker.png" ] || { echo "build_appimage: run packaging/icons.py first" >&2; exit 2; }

tool="${APPIMAGETOOL:-}"
if [ -z "$tool" ]; then
  tool="$(mktemp -d)/appimagetool"
  curl -fsSL -o "$tool" \
    "https://github.com/AppImage/appimagetool/releases/download/continuous/appimagetool-x86_64.AppImage"
  chmod +x "$tool"
fi

appdir="$(mktemp -d)/TimeTracker.AppDir"
mkdir -p "$appdir/usr/share/applications" "$appdir/usr/share/metainfo" "$appdir/usr/share/icons"
cp -a "$bundle" "$appdir/opt-timetracker"
cat > "$appdir/AppRun" <<'RUN'
#!/bin/sh
here="$(dirname "$(readlink -f "$0")")"
exec "$here/opt-timetracker/timetracker" "$@"
RUN
chmod +x "$appdir/AppRun"
cp "$here/$app_id.desktop" "$appdir/$app_id.desktop"
cp "$here/$app_id.desktop" "$appdir/usr/share/applications/"
sed "s|<!-- @RELEASES@ -->||" "$here/$app_id.metainfo.xml" > "$appdir/usr/share/metainfo/$app_id.appdata.xml"
cp "$icons/timetracker.png" "$appdir/timetracker.png"
cp -r "$icons/hicolor" "$appdir/usr/share/icons/"

version="$(python3 -c "import sys; sys.path.insert(0, '$repo/build/src'); from timetracker import build_info; print(build_info.VERSION)" 2>/dev/null || echo dev)"
mkdir -p "$out"
# --appimage-extract-and-run: no FUSE on CI runners.
ARCH=x86_64 "$tool" --appimage-extract-and-run --no-appstream "$appdir" "$out/TimeTracker-$version-x86_64.AppImage"
"$out/TimeTracker-$version-x86_64.AppImage" --appimage-extract-and-run --self-test
echo "build_appimage: $out/TimeTracker-$version-x86_64.AppImage"
