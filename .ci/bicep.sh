#!/usr/bin/env bash
# Compile and lint every Bicep file under infra/ with a pinned Bicep CLI.
# Usage (from the repository root): bash .ci/bicep.sh
#        bash .ci/bicep.sh --path   restores the CLI if needed and prints its path, nothing else (the template tests use it)
# - Restores Azure.Bicep.CommandLine.linux-x64 from NuGet into .tools/ (gitignored) once; reuses it afterwards.
# - Builds to a temporary directory (nothing is written into the repo).
# - Fails on any error AND on any warning (also enforced by infra/bicepconfig.json, which sets analyzer rules to "error").
set -euo pipefail

BICEP_VERSION="0.49.2"
PKG_ID="azure.bicep.commandline.linux-x64"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOOLS="$ROOT/.tools"
PKG_DIR="$TOOLS/packages/$PKG_ID/$BICEP_VERSION"

find_bicep() {
  find "$PKG_DIR" -type f -name bicep 2>/dev/null | head -n 1
}

BICEP="$(find_bicep || true)"
# Offline-friendly: reuse a copy from the NuGet global packages folder if one is there.
GLOBAL_PKG_DIR="${NUGET_PACKAGES:-$HOME/.nuget/packages}/$PKG_ID/$BICEP_VERSION"
if [[ -z "$BICEP" && -d "$GLOBAL_PKG_DIR" ]]; then
  mkdir -p "$(dirname "$PKG_DIR")"
  cp -R "$GLOBAL_PKG_DIR" "$PKG_DIR"
  BICEP="$(find_bicep || true)"
fi
if [[ -z "$BICEP" ]]; then
  echo "Restoring Bicep CLI $BICEP_VERSION from NuGet into .tools/ ..."
  RESTORE_DIR="$TOOLS/bicep-restore"
  mkdir -p "$RESTORE_DIR"
  cat > "$RESTORE_DIR/bicep-restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
CSPROJ
  # The csproj sits under .tools/, so Directory.Build.props / Directory.Packages.props of the repo would be
  # picked up by MSBuild's upward search; the properties above switch those imports off.
  dotnet restore "$RESTORE_DIR/bicep-restore.csproj" --packages "$TOOLS/packages" --nologo -v quiet
  BICEP="$(find_bicep || true)"
  if [[ -z "$BICEP" ]]; then
    echo "error: bicep executable not found under $PKG_DIR after restore" >&2
    exit 1
  fi
fi
chmod +x "$BICEP"
if [[ "${1:-}" == "--path" ]]; then
  echo "$BICEP"
  exit 0
fi
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}"
echo "Using $("$BICEP" --version) at ${BICEP#"$ROOT"/}"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

mapfile -t FILES < <(find infra -type f -name '*.bicep' | sort)
if [[ ${#FILES[@]} -eq 0 ]]; then
  echo "error: no .bicep files under infra/" >&2
  exit 1
fi

failed=0
for f in "${FILES[@]}"; do
  for cmd in build lint; do
    log="$OUT/$(echo "$f" | tr '/' '_').$cmd.log"
    if [[ "$cmd" == build ]]; then
      args=(build "$f" --outdir "$OUT/$(dirname "$f")")
      mkdir -p "$OUT/$(dirname "$f")"
    else
      args=(lint "$f")
    fi
    rc=0
    "$BICEP" "${args[@]}" >"$log" 2>&1 || rc=$?
    # Any non-zero exit, or any diagnostic of level Warning/Error (compiler BCPxxx or linter rule), fails.
    if [[ $rc -ne 0 ]] || grep -Eqi '\b(warning|error)\b' "$log"; then
      echo "FAIL bicep $cmd $f (exit $rc)"
      sed 's/^/    /' "$log"
      failed=1
    else
      echo "ok   bicep $cmd $f"
    fi
  done
done

if [[ $failed -ne 0 ]]; then
  echo "Bicep: errors or warnings found (warnings are treated as failures)." >&2
  exit 1
fi
echo "Bicep: ${#FILES[@]} file(s) built and linted with no errors or warnings."
