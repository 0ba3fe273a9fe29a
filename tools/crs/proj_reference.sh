#!/usr/bin/env bash
# Independent projected coordinates for the Wuhan landmarks (and Hubei corner
# points), computed by PROJ's own `cs2cs` (Debian proj-bin), not by liuyu.
# Output: TSV "crs lon lat x y" on stdout; tests/data/crs_proj_reference.tsv is
# the committed output, regenerated and compared by .ci/checks/60-formats.sh.
set -euo pipefail
POINTS="114.30224 30.5446
114.36099 30.56116
114.2094 30.779
108.36 29.03
110.9 32.6
116.13 31.3
112.2 30.35"
# cs2cs prints the EPSG axis order: northing, easting for the CGCS2000 GK
# zones (swapped back to easting, northing here), easting, northing for 3857.
for code in 3857 4524 4525 4526 4527 4545 4546 4547 4548; do
  paste <(echo "$POINTS") <(echo "$POINTS" | cs2cs -d 6 OGC:CRS84 "EPSG:$code" | awk '{print $1"\t"$2}') \
    | awk -v c="EPSG:$code" -v swap="$([ "$code" = 3857 ] && echo 0 || echo 1)" \
      '{ if (swap == 1) { e = $4; n = $3 } else { e = $3; n = $4 }
         printf "%s\t%s\t%s\t%s\t%s\n", c, $1, $2, e, n }'
done
