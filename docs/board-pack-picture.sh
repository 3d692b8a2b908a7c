#!/bin/sh
# Renders the first page of the Summary sheet of the example's board pack (the README's
# tutorial, step 11) to docs/board-pack-summary.png: the same commands as the tutorial, in a
# scratch database, then LibreOffice (soffice) to PDF and pdftoppm to PNG. Run by
# `make pack-picture` from the top of the repository.
set -eu

MOU=${MOU:-.venv/bin/mou}
OUT=${OUT:-docs/board-pack-summary}
for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || {
        echo "pack-picture needs $tool (Debian: apt-get install libreoffice-calc-nogui poppler-utils)" >&2
        exit 1
    }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MOU_DB="$work/board.db"

"$MOU" import examples/oxford-liverpool.toml >/dev/null
"$MOU" note add -q "FY2026/27 Q3" --programme "Two milestones are overdue: the scale-up pilot recruited 6 of its 10 firms (MS-09), and the neurosciences and women's health scoping report (MS-12) waits for its second reader. The investment prospectus (MS-15) has moved to March, which puts the first annual review (MS-16) at risk: the board is asked to hold the review in February without it." >/dev/null
"$MOU" note add -q "FY2026/27 Q3" --theme GROW "Most applicants to the pilot fell short of the entry criteria (R02). A second recruitment round opens in January with wider eligibility." >/dev/null
"$MOU" note add -q "FY2026/27 Q3" --workstream WS07 "The prospectus now follows the combined authority's investment plan; a costed plan (A09) comes to the December board." >/dev/null
"$MOU" report quarterly -q "FY2026/27 Q3" --as-of 2026-11-30 --xlsx "$work/board-pack.xlsx" >/dev/null

HOME="$work" soffice "-env:UserInstallation=file://$work/profile" --headless \
    --convert-to pdf --outdir "$work" "$work/board-pack.xlsx" >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$work/board-pack.pdf" "$OUT"
echo "Wrote $OUT.png"
