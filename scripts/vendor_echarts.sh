#!/usr/bin/env bash
# Reproduces vendor/echarts/ (the charting library `fankui report` embeds at build
# time) from the npm registry. Run by hand on a machine with npm; CI and users
# never need it: the files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${ECHARTS_VERSION:-5.6.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "echarts@$VERSION" >/dev/null && tar xzf "echarts-$VERSION.tgz")
mkdir -p vendor/echarts
cp "$tmp/package/dist/echarts.min.js" vendor/echarts/echarts.min.js
cp "$tmp/package/LICENSE" vendor/echarts/LICENSE
cp "$tmp/package/NOTICE" vendor/echarts/NOTICE
echo "$VERSION" > vendor/echarts/VERSION
sha256sum vendor/echarts/echarts.min.js
