"""Writes data/adult-4000.csv from ../shared/datasets/uci-adult/adult.data.csv (see ../README.md).

The first 4,000 rows of UCI Adult (real census data), values trimmed (the file separates fields
with ", "), fnlwgt dropped (a sampling weight, not a trait of the person), with two synthetic
columns so the rows fit a feature store: person_id (row number, 1-based: the entity) and
event_time (Unix epoch seconds: 2024-01-01T00:00:00Z plus 15 minutes per row, so the rows span
2024-01-01 .. 2024-02-11). Run from the repository root:
    python3 examples/adult/data/make-adult-4000.py
"""
import csv
import os

SRC = os.path.join(os.path.dirname(__file__), '../../../../shared/datasets/uci-adult/adult.data.csv')
OUT = os.path.join(os.path.dirname(__file__), 'adult-4000.csv')
NAMES = ['age', 'workclass', 'fnlwgt', 'education', 'education_num', 'marital_status', 'occupation', 'relationship',
         'race', 'sex', 'capital_gain', 'capital_loss', 'hours_per_week', 'native_country', 'income']
KEEP = [n for n in NAMES if n != 'fnlwgt']
START = 1704067200  # 2024-01-01T00:00:00Z

with open(SRC, newline='') as f, open(OUT, 'w', newline='') as out:
    w = csv.writer(out, lineterminator='\n')
    w.writerow(['person_id', 'event_time'] + KEEP)
    n = 0
    for row in csv.reader(f):
        if len(row) != len(NAMES):
            continue
        n += 1
        rec = dict(zip(NAMES, (v.strip() for v in row)))
        w.writerow([n, START + (n - 1) * 900] + [rec[k] for k in KEEP])
        if n == 4000:
            break
