#!/bin/sh
# Makes the old-Excel (.xls, BIFF8) fixtures of test_xls from xls_shots.csv
# (eight rows of `vaxsync generate --preset small --seed 5`: made-up people)
# with LibreOffice (Debian libreoffice-calc, headless). Not run by the tests:
# LibreOffice is not among the build's packages; run it by hand to remake them.
#   xls_text.xls   every column typed as text: reads back as the CSV's rows
#   xls_typed.xls  record_id, id_number, phone and dose as numbers (the ID's
#                  leading zero gone, as Excel does), dob and shot_date as dates
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/xls_shots.csv" "$work/xls_text.csv"
cp "$here/xls_shots.csv" "$work/xls_typed.csv"
text="1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2/9/2/10/2/11/2/12/2"
typed="1/1/2/2/3/2/4/5/5/2/6/1/7/1/8/2/9/2/10/2/11/1/12/5"
HOME="$work" soffice --headless --infilter="CSV:44,34,76,1,$text" --convert-to 'xls:MS Excel 97' \
  --outdir "$here" "$work/xls_text.csv"
HOME="$work" soffice --headless --infilter="CSV:44,34,76,1,$typed" --convert-to 'xls:MS Excel 97' \
  --outdir "$here" "$work/xls_typed.csv"
