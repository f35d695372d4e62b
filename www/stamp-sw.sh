#!/bin/sh
# Trunk post_build hook: stamps the build version into the staged sw.js.
#
# The version is a hash over every other file of the build, so it changes
# exactly when something the service worker serves changes. A new sw.js is
# what makes browsers install the new worker (and its new cache); see sw.js.
# Trunk runs this with TRUNK_STAGING_DIR set, from the directory of Trunk.toml.
set -eu

cd "${TRUNK_STAGING_DIR:?run this as a Trunk post_build hook}"
placeholder='__TICKETRAIL_BUILD__'
if ! grep -q "$placeholder" sw.js; then
    echo "stamp-sw: no $placeholder in $TRUNK_STAGING_DIR/sw.js" >&2
    exit 1
fi
version=$(find . -type f ! -name sw.js -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
sed "s/$placeholder/$version/g" sw.js > sw.js.stamped
mv sw.js.stamped sw.js
echo "stamp-sw: build $version"
