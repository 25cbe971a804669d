#!/usr/bin/env bash
# Wrap TimeTracker.app in a .dmg; sign and notarise only when the credentials are present.
#
#   packaging/macos/build_dmg.sh dist/pyinstaller/TimeTracker.app dist/TimeTracker-1.2.3.dmg
#
# Optional environment (CI maps these from secrets; see docs/ci-cd.md):
#   MACOS_SIGNING_IDENTITY   e.g. "Developer ID Application: Example (TEAMID)", in a keychain
#                            that is already unlocked (the workflow imports the certificate)
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   notarytool credentials (need the identity)
set -euo pipefail

app="${1:?usage: build_dmg.sh APP DMG}"
dmg="${2:?usage: build_dmg.sh APP DMG}"
here="$(cd "$(dirname "$0")" && pwd)"
identity="${MACOS_SIGNING_IDENTITY:-}"

[ -d "$app/Contents/MacOS" ] || { echo "build_dmg: $app is not an .app bundle" >&2; exit 2; }

sign() {
  codesign --force --timestamp --options runtime \
    --entitlements "$here/entitlements.plist" --sign "$identity" "$@"
}

if [ -n "$identity" ]; then
  echo "build_dmg: signing with '$identity'"
  # Inside out: every Mach-O file first, then the bundle itself.
  while IFS= read -r -d '' file; do
    if file -b "$file" | grep -q "Mach-O"; then sign "$file"; fi
  done < <(find "$app/Contents" -type f -print0)
  sign "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  echo "build_dmg: MACOS_SIGNING_IDENTITY not set; the app and .dmg stay unsigned"
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "TimeTracker" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    echo "build_dmg: notarising"
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
  else
    echo "build_dmg: notarisation credentials not set; the .dmg is signed but not notarised"
  fi
fi
echo "build_dmg: $dmg"
