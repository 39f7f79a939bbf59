"""Write the XLSX twin of each example export, as a case system's "Export to Excel" would:
dates and times as real date cells, numbers as numbers, everything else as text.

    uv run python sample_data/exports/build_xlsx.py

The CSV files are the source of truth; the tests load both and expect the same records.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
_DT = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$")
_D = re.compile(r"^\d\d/\d\d/\d{4}$")
_NUM = re.compile(r"^-?\d+\.\d+$")


def cell(text: str):
    if _DT.match(text):
        return datetime.strptime(text, "%d/%m/%Y %H:%M")
    if _D.match(text):
        return datetime.strptime(text, "%d/%m/%Y").date()
    if _NUM.match(text):
        return float(text)
    return text


def build(csv_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = csv_path.stem
    with open(csv_path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            ws.append(row if i == 0 else [cell(v) if v else None for v in row])
    for col in ws.iter_cols(min_row=2):
        for c in col:
            if isinstance(c.value, datetime):
                c.number_format = "dd/mm/yyyy hh:mm"
            elif c.value is not None and hasattr(c.value, "isoformat"):
                c.number_format = "dd/mm/yyyy"
    out = csv_path.with_suffix(".xlsx")
    wb.properties.creator = "graphmap sample"
    wb.properties.created = wb.properties.modified = datetime(2026, 5, 1)  # stable bytes
    wb.save(out)
    return out


if __name__ == "__main__":
    for p in sorted(HERE.glob("*.csv")):
        print(build(p))
